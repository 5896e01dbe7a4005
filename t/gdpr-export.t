# GDPR export (Art. 15/20): a job writes a ZIP of every plugin's section of
# one owner, with a manifest of SHA-256 and counts; the download URL is
# signed, short-lived and of this owner only.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(sha256_hex);
use JSON::PP;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Chat;
use CarBot::Gdpr;

my $t = CarBot::Gdpr::server(test_plugins => ['gdprprobe']);

sub export_of {
	my ($o) = @_;
	my $r = $t->post('/api/v1/gdpr/export', headers => $o->{bearer});
	is $r->{status}, 202, 'the export starts (202)' or diag $r->{content};
	my $id = $r->{json}{id};
	my $s = CarBot::Gdpr::wait_export($t, $o, $id);
	is $s->{json}{status}, "done", "and is done" or diag explain [$s->{json}, grep { /job|gdpr|export/ } split /\n/, $t->log];
	return ($id, $s);
}

my $a = CarBot::Chat::owner($t);
my $b = CarBot::Chat::owner($t);
my $sid = CarBot::Chat::session($t, $a);
CarBot::Chat::chat($t, $a, $sid, 'Wann habt ihr offen?');
my $sidb = CarBot::Chat::session($t, $b);
CarBot::Chat::chat($t, $b, $sidb, 'Was kostet ein Ölwechsel bei Bob?');
$t->sql("INSERT INTO gdprprobe_notes (user_id, note) VALUES (:'p1', 'probe note of A')",
        $a->{user}{id});

subtest 'the archive holds every section of the owner and nothing of another' => sub {
	my ($id, $s) = export_of($a);
	like $s->{json}{download_url}, qr{^/api/v1/gdpr/exports/\Q$id\E/download\?expires=\d+&sig=[0-9a-f]{64}$},
		'a signed download URL';
	ok $s->{json}{download_expires_at}, 'with its expiry';
	my $d = $t->get($s->{json}{download_url});
	is $d->{status}, 200, 'the download answers 200';
	like $d->{headers}{'content-type'}, qr{application/zip}, 'as a ZIP';
	my $z = CarBot::Gdpr::unzip($d->{content});
	ok $z->{'manifest.json'}, 'manifest.json is there';
	my $m = decode_json($z->{'manifest.json'});
	is $m->{schema_version}, 1, 'schema version 1';
	is $m->{owner}{user_id}, $a->{user}{id}, 'the owner';
	like $m->{generated_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'generated at (UTC)';
	for my $f (@{$m->{files}}) {
		is sha256_hex($z->{$f->{name}} // ''), $f->{sha256}, "sha256 of $f->{name}";
	}
	my %count = map { $_->{name} => $_->{count} } @{$m->{files}};
	for my $name (qw(auth/profile.json keys/client_keys.ndjson chat/conversations.ndjson
	                 chat/messages.ndjson chat/leads.ndjson chat/analytics_monthly.ndjson
	                 gdprprobe/notes.ndjson gdpr/audit.ndjson)) {
		ok exists $z->{$name}, "$name is in the archive";
	}
	my $p = decode_json($z->{'auth/profile.json'});
	is $p->{email}, $a->{user}{email}, 'the profile is the owner\'s';
	ok !exists $p->{password_hash}, 'no password hash';
	my $keys = CarBot::Gdpr::ndjson($z->{'keys/client_keys.ndjson'});
	is scalar @$keys, 1, 'one key';
	is $keys->[0]{domain}, $a->{domain}, 'the owner\'s key';
	unlike $z->{'keys/client_keys.ndjson'}, qr/\Q$a->{key}\E/, 'the key itself is not there';
	like $keys->[0]{key}, qr/^cb_\.\.\.[0-9a-f]{4}$/, 'masked to its last four';
	my $msgs = CarBot::Gdpr::ndjson($z->{'chat/messages.ndjson'});
	ok scalar(grep { $_->{content} eq 'Wann habt ihr offen?' } @$msgs), 'the visitor message';
	is $count{'chat/messages.ndjson'}, scalar @$msgs, 'counted in the manifest';
	my $all = join '', values %$z;
	unlike $all, qr/Bob/, 'nothing of the other owner\'s conversations';
	unlike $all, qr/\Q$b->{user}{email}\E/, 'nor the other owner\'s e-mail';
	unlike $all, qr/\Q$b->{domain}\E/, 'nor the other owner\'s key';
	is_deeply CarBot::Gdpr::ndjson($z->{'gdprprobe/notes.ndjson'}), [{note => 'probe note of A'}],
		'the third-party plugin\'s section';
};

subtest 'the download URL is of one export, signed and short-lived' => sub {
	my ($id, $s) = export_of($a);
	my $url = $s->{json}{download_url};
	(my $bad = $url) =~ s/sig=(.)/'sig=' . ($1 eq 'a' ? 'b' : 'a')/e;
	is $t->get($bad)->{json}{error}{code}, 'invalid_signature', 'a tampered signature: 403';
	(my $later = $url) =~ s/expires=(\d+)/'expires=' . ($1 + 3600)/e;
	is $t->get($later)->{status}, 403, 'a longer expiry: the signature no longer fits';
	my ($id2) = export_of($b);
	(my $other = $url) =~ s/\Q$id\E/$id2/g;
	is $t->get($other)->{status}, 403, 'another export with this signature: 403';
	(my $past = $url) =~ s/expires=\d+/expires=1000/;
	is $t->get($past)->{json}{error}{code}, 'link_expired', 'an expired link: 410';
	is $t->get("/api/v1/gdpr/exports/$id/download")->{status}, 403, 'no signature: 403';
	is $t->get("/api/v1/gdpr/exports/$id", headers => $b->{bearer})->{status}, 404,
		'another owner cannot read the status';
	is $t->get('/api/v1/gdpr/exports/not-a-uuid', headers => $a->{bearer})->{status}, 404,
		'a malformed id: 404';
	is $t->get("/api/v1/gdpr/exports/$id")->{status}, 401, 'no bearer: 401';
};

subtest 'one export at a time' => sub {
	$t->sql("INSERT INTO gdpr_exports (user_id, status) VALUES (:'p1', 'running')", $b->{user}{id});
	my $r = $t->post('/api/v1/gdpr/export', headers => $b->{bearer});
	is $r->{status}, 409, 'a second one while one runs: 409';
	is $r->{json}{error}{code}, 'export_running', 'export_running';
	$t->sql("DELETE FROM gdpr_exports WHERE user_id = :'p1' AND status = 'running'", $b->{user}{id});
};

done_testing;
