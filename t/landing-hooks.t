# Landing's subscribers to other plugins' account events, emitted here by
# testkit (POST /t/emit/{event} with the JSON body as data) since no plugin
# emits them yet:
#   user.deleted  -> the user's pages go offline (unpublished, out of the cache)
#   user.erasing  -> the user's pages, their domain checks and uploads deleted
# Other users' pages are untouched; malformed payloads change nothing.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing;

# cache_revalidate_ms high: only the hook's own invalidation can take a page
# out of this process's cache in time.
my $t = CarBot::Landing::server(test_plugins => ['testkit'],
                                landing => {cache_revalidate_ms => 3600000});
my $API = '/api/v1/landing-pages';
my $BASE = $CarBot::Landing::BASE;
my $PNG = "\x89PNG\r\n\x1a\n" . "\0\0\0\rIHDR" . ("\x01" x 200);

sub emit {
	my ($event, $data) = @_;
	my $r = $t->post("/t/emit/$event", json => $data);
	die "emit $event: $r->{status} $r->{content}" unless $r->{status} == 200;
	return $r->{json}{result};
}
sub host { CarBot::Landing::host_get($t, "$_[0].$BASE", '/') }
sub pages_of { $t->sql(q{SELECT count(*) FROM landing_pages WHERE user_id = :'p1'}, $_[0])->[0][0] }

my $other = CarBot::Landing::premium($t);
my $op = CarBot::Landing::published($t, $other);

subtest 'user.deleted: the pages go offline at once' => sub {
	my $u = CarBot::Landing::premium($t);
	my $p1 = CarBot::Landing::published($t, $u);
	my $p2 = CarBot::Landing::published($t, $u);
	is host($_->{subdomain})->{status}, 200, "$_->{subdomain} is served (and cached)" for $p1, $p2;
	is get_local($p1->{subdomain})->{status}, 200, '... also at /p/';
	is emit('user.deleted', {user_id => $u->{id}}), 'CB_OK', 'user.deleted emitted';
	is host($_->{subdomain})->{status}, 404, "$_->{subdomain}: 404 at once (cache dropped)" for $p1, $p2;
	is get_local($p1->{subdomain})->{status}, 404, '... also at /p/';
	my $rows = $t->sql(q{SELECT count(*) FILTER (WHERE is_published), count(*) FROM landing_pages
	                     WHERE user_id = :'p1'}, $u->{id});
	is_deeply $rows->[0], [0, 2], 'both rows stay, unpublished';
	is host($op->{subdomain})->{status}, 200, "another user's page is still served";
};

subtest 'user.erasing: pages, domain checks and uploads are deleted' => sub {
	my $u = CarBot::Landing::premium($t);
	my $h = bearer($u->{access});
	my $p = CarBot::Landing::published($t, $u);
	my $up = $t->post("$API/$p->{id}/assets?kind=logo", body => $PNG,
	                  headers => {%$h, 'Content-Type' => 'application/octet-stream'});
	is $up->{status}, 201, 'a logo uploaded' or diag $up->{content};
	my $dir = $t->tmpdir . "/assets/$p->{id}";
	ok -d $dir && glob("$dir/*"), 'its file is on disk';
	my $d = $t->post("$API/$p->{id}/domain", headers => $h, json => {domain => 'erase-me.example.de'});
	is $d->{status}, 201, 'a domain check pending' or diag $d->{content};
	is host($p->{subdomain})->{status}, 200, 'the page is served (and cached)';
	my $asset = $up->{json}{url};
	is $t->get($asset)->{status}, 200, 'the upload is served';

	is emit('user.erasing', {user_id => $u->{id}}), 'CB_OK', 'user.erasing emitted';
	is pages_of($u->{id}), 0, 'the pages are deleted';
	is $t->sql(q{SELECT count(*) FROM domain_verifications WHERE landing_page_id = :'p1'}, $p->{id})->[0][0],
		0, 'their domain checks too';
	ok !-e $dir, 'the upload directory is gone';
	is $t->get($asset)->{status}, 404, 'the upload is no longer served';
	is host($p->{subdomain})->{status}, 404, 'the page: 404 at once';
	is pages_of($other->{id}), 1, "another user's page stays";
	is host($op->{subdomain})->{status}, 200, '... and is served';
};

subtest 'payloads that name no user change nothing' => sub {
	for my $data ({}, {user_id => 'not-a-uuid'}, {user_id => 42},
	              {user_id => '00000000-0000-0000-0000-000000000000'}) {
		is emit('user.erasing', $data), 'CB_OK', 'user.erasing with ' . JSON::PP->new->canonical->encode($data);
		is emit('user.deleted', $data), 'CB_OK', '... and user.deleted';
	}
	is pages_of($other->{id}), 1, 'no page deleted';
	is host($op->{subdomain})->{status}, 200, 'the page still served';
};

sub get_local { $t->get("/p/$_[0]") }

my @failed = grep { ($_->{level} // '') eq 'error' && ($_->{msg} // '') =~ /^landing:/ } @{$t->log_lines};
is scalar(@failed), 0, 'no subscriber failed (no error logged by landing)'
	or diag join "\n", map { $_->{msg} } @failed;

done_testing;
