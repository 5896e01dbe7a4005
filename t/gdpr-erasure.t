# GDPR erasure (Art. 17): password re-entered, the account disabled at once,
# permanent deletion after the grace period (time moved by SQL), cancellation
# within it restores everything, an operator erases at once; afterwards no
# column of any table holds the user's id, e-mail or phone.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Chat;
use CarBot::Gdpr;

my $t = CarBot::Gdpr::server(test_plugins => ['gdprprobe']);
my $PW = $CarBot::Auth::PASSWORD;
my $PHONE = $$ * 10;

sub erase_req {
	my ($o, $pw) = @_;
	return $t->post('/api/v1/gdpr/erasure', headers => $o->{bearer},
	                json => defined $pw ? {password => $pw} : {});
}
sub cancel { $t->post('/api/v1/gdpr/erasure/cancel', json => {email => $_[0]{user}{email}, password => $_[1] // $PW}) }
sub login_status { CarBot::Auth::login($t, $_[0]{user}{email})->{status} }
sub login_status_pw { CarBot::Auth::login($t, $_[0]{user}{email}, $_[1])->{status} }
sub key_active {
	$t->sql("SELECT is_active FROM client_keys WHERE id = :'p1'", $_[0]{key_id})->[0][0];
}

# Every column of every table (cast to text) that contains needle.
sub scan {
	my ($needle) = @_;
	my $rows = $t->sql(q{
		WITH cols AS MATERIALIZED (
		  SELECT c.table_name AS t, c.column_name AS c FROM information_schema.columns c
		  JOIN information_schema.tables t ON t.table_schema = c.table_schema
		    AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		  WHERE c.table_schema = 'public')
		SELECT t || '.' || c FROM cols
		WHERE (xpath('//n/text()', query_to_xml(format(
		    'SELECT count(*) AS n FROM public.%I WHERE position(lower(%L) IN lower(%I::text)) > 0',
		    t, :'p1', c), false, false, '')))[1]::text::int > 0
		ORDER BY 1}, $needle);
	return [map { $_->[0] } @$rows];
}

sub rich_owner {
	my $o = CarBot::Chat::owner($t);
	my $sid = CarBot::Chat::session($t, $o);
	CarBot::Chat::chat($t, $o, $sid, 'Hallo, wann habt ihr offen?');
	$t->sql("UPDATE users SET phone = :'p2', first_name = 'Erika' WHERE id = :'p1'",
	        $o->{user}{id}, sprintf('+49301%07d', ++$PHONE));
	$o->{phone} = $t->sql("SELECT phone FROM users WHERE id = :'p1'", $o->{user}{id})->[0][0];
	$t->sql("INSERT INTO gdprprobe_notes (user_id, note) VALUES (:'p1', 'a note')", $o->{user}{id});
	return $o;
}

subtest 'bad input changes nothing' => sub {
	my $o = rich_owner();
	my $r = erase_req($o, 'wrong-password');
	is $r->{status}, 403, 'a wrong password: 403';
	is $r->{json}{error}{code}, 'invalid_password', 'invalid_password';
	is erase_req($o)->{json}{error}{code}, 'validation_failed', 'no password: 400';
	is erase_req($o, 42)->{status}, 400, 'a number as password: 400';
	is erase_req($o, 'x' x 2000)->{status}, 400, 'an oversized password: 400';
	is $t->post('/api/v1/gdpr/erasure', json => {password => $PW})->{status}, 401, 'no bearer: 401';
	is $t->sql("SELECT count(*) FROM gdpr_erasures WHERE user_id = :'p1'", $o->{user}{id})->[0][0], 0,
		'nothing planned';
	is login_status($o), 200, 'login still works';
	is key_active($o), 't', 'the key is still on';
	is cancel($o)->{json}{error}{code}, 'no_pending_erasure', 'cancel without an erasure: 404';
};

subtest 'erasure disables at once; cancellation restores everything' => sub {
	my $o = rich_owner();
	my $r = erase_req($o, $PW);
	is $r->{status}, 202, 'the erasure is planned (202)' or diag $r->{content};
	is $r->{json}{grace_days}, 30, 'after 30 days';
	like $r->{json}{erase_at}, qr/Z$/, 'erase_at in UTC';
	is $t->get('/api/v1/auth/me', headers => $o->{bearer})->{status}, 401, 'the access token is refused';
	is erase_req($o, $PW)->{status}, 401, 'a second request with it: refused';
	my $l = CarBot::Auth::login($t, $o->{user}{email});
	is $l->{status}, 403, 'login refused (403)';
	is $l->{json}{error}{code}, 'account_pending_erasure', '... saying the deletion is planned';
	ok !$l->{json}{tokens}, '... without tokens';
	is login_status_pw($o, 'wrong-password'), 401, 'a wrong password: the usual 401';
	is key_active($o), 'f', 'the key is off';
	is $t->sql("SELECT count(*) FROM refresh_tokens WHERE user_id = :'p1' AND revoked_at IS NULL",
	           $o->{user}{id})->[0][0], 0, 'every refresh token revoked';
	is cancel($o, 'wrong')->{status}, 403, 'cancel with a wrong password: 403';
	is $t->sql("SELECT count(*) FROM gdpr_erasures WHERE user_id = :'p1'", $o->{user}{id})->[0][0], 1,
		'still planned';
	is $t->post('/api/v1/gdpr/erasure/cancel', json => {email => $o->{user}{email}})->{status}, 400,
		'cancel without a password: 400';
	$r = cancel($o);
	is $r->{status}, 200, 'cancelled (200)' or diag $r->{content};
	is login_status($o), 200, 'login works again';
	is key_active($o), 't', 'the key is on again';
	is $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'gdpr.erase' AND status = 'pending' "
	           . "AND payload->>'erasure_id' IS NOT NULL")->[0][0], 0, 'no erasure job left';
	is cancel($o)->{status}, 404, 'a second cancel: 404';
};

subtest 'after the grace period the job erases everything' => sub {
	my $o = rich_owner();
	my $keep = rich_owner();
	my $other = CarBot::Chat::owner($t);
	is erase_req($o, $PW)->{status}, 202, 'planned';
	# move time: the grace period is over
	$t->sql("UPDATE gdpr_erasures SET erase_at = now() - interval '1 second' WHERE user_id = :'p1'",
	        $o->{user}{id});
	is cancel($o)->{json}{error}{code}, 'grace_period_over', 'cancel after the grace period: 410';
	$t->sql("UPDATE cb_jobs SET run_at = now() WHERE name = 'gdpr.erase' AND status = 'pending'");
	my $left = 1;
	for (1 .. 300) {
		$left = $t->sql("SELECT count(*) FROM users WHERE id = :'p1'", $o->{user}{id})->[0][0];
		last unless $left;
		select undef, undef, undef, 0.2;
	}
	is $left, 0, 'the users row is gone';
	# the keys plugin's cache job carries the id until it is done; let it run
	for (1 .. 100) {
		last unless $t->sql("SELECT count(*) FROM cb_jobs WHERE status <> 'done'")->[0][0];
		select undef, undef, undef, 0.2;
	}
	my @found = grep { $_ ne 'cb_jobs.payload' } @{scan($o->{user}{id})};
	is_deeply \@found, [], 'no column holds the user id (cb_jobs aside)';
	is_deeply scan($o->{user}{email}), [], 'no column holds the e-mail';
	ok scalar(@{scan($keep->{user}{id})}) >= 4, 'while the scan finds a live owner\'s id in many tables';
	ok scalar(@{scan($keep->{phone})}) >= 1, 'and their phone';
	is_deeply scan($o->{phone}), [], 'no column holds the phone';
	is_deeply [grep { $_ ne 'cb_jobs.payload' } @{scan($o->{key_id})}], [], 'nor the key (cb_jobs aside)';
	is $t->sql("SELECT count(*) FROM gdpr_audit WHERE action = 'erasure.done' AND user_id IS NULL "
	           . "AND rows > 0")->[0][0], 1, 'the audit keeps what was done, without the id';
	is $t->sql("SELECT count(*) FROM users WHERE id = :'p1'", $keep->{user}{id})->[0][0], 1,
		'another owner stays';
	is $t->sql("SELECT count(*) FROM gdprprobe_notes WHERE user_id = :'p1'", $keep->{user}{id})->[0][0], 1,
		'with the third-party plugin\'s rows';
	is key_active($other), 't', 'and their keys on';
	my $r = $t->post('/api/v1/gdpr/export', headers => $o->{bearer});
	is $r->{status}, 401, 'an export of the deleted user: 401';
};

subtest 'an operator erases at once' => sub {
	my $op = CarBot::Auth::register($t);
	$t->sql("UPDATE users SET role = 'admin' WHERE id = :'p1'", $op->{id});
	my $l = CarBot::Auth::login($t, $op->{email});
	my $o = rich_owner();
	my $r = $t->post("/api/v1/gdpr/admin/users/$o->{user}{id}/erase", headers => $o->{bearer});
	is $r->{status}, 403, 'an owner may not (403)';
	$r = $t->post("/api/v1/gdpr/admin/users/$o->{user}{id}/erase", headers => bearer($l->{access}));
	is $r->{status}, 200, 'the operator may (200)' or diag $r->{content};
	ok $r->{json}{rows} > 3, 'rows counted';
	is $t->sql("SELECT count(*) FROM users WHERE id = :'p1'", $o->{user}{id})->[0][0], 0, 'gone';
	is $t->sql("SELECT count(*) FROM gdprprobe_notes WHERE user_id = :'p1'", $o->{user}{id})->[0][0], 0,
		'the third-party plugin\'s rows too';
	is $t->sql("SELECT actor FROM gdpr_audit WHERE action = 'erasure.immediate'")->[0][0], 'operator',
		'audited as the operator\'s';
	$r = $t->post("/api/v1/gdpr/admin/users/$o->{user}{id}/erase", headers => bearer($l->{access}));
	is $r->{status}, 404, 'a second time: 404';
	is $t->post('/api/v1/gdpr/admin/users/nope/erase', headers => bearer($l->{access}))->{status}, 404,
		'a malformed id: 404';
};

subtest 'the audit log lists the owner\'s actions, nothing personal' => sub {
	my $o = rich_owner();
	$t->post('/api/v1/gdpr/export', headers => $o->{bearer});
	my $r = $t->get('/api/v1/gdpr/audit', headers => $o->{bearer});
	is $r->{status}, 200, 'the audit answers';
	# newest first; the export job may already have finished (export.done, by
	# the system) when the list is read
	my @e = @{$r->{json}{entries} || []};
	my ($req) = grep { $_->{action} eq 'export.requested' } @e;
	ok $req, 'the export request is listed' or diag explain \@e;
	is $req->{actor}, 'owner', 'by the owner';
	my @done = grep { $_->{action} eq 'export.done' } @e;
	ok !@done || ($done[0]{actor} eq 'system' && $e[0]{action} eq 'export.done'),
		'a finished export is listed after it, as the system\'s';
	is_deeply [sort keys %{$e[0] || {}}], [qw(action actor at rows)],
		'an entry holds what happened, who and when: nothing personal';
	is $r->{json}{pagination}{total}, scalar @{$r->{json}{entries}}, 'paginated';
	is $t->get('/api/v1/gdpr/audit?limit=0', headers => $o->{bearer})->{status}, 400, 'a bad limit: 400';
	my $other = CarBot::Chat::owner($t);
	is_deeply $t->get('/api/v1/gdpr/audit', headers => $other->{bearer})->{json}{entries}, [],
		'another owner sees none of it';
};


subtest 'login while the erasure waits: only the right password learns of it, lockout first' => sub {
	my $o = rich_owner();
	is erase_req($o, $PW)->{status}, 202, 'erasure planned';
	my $l = $t->post('/api/v1/auth/login', json => {email => uc $o->{user}{email}, password => $PW});
	is $l->{json}{error}{code}, 'account_pending_erasure', 'the address in capitals: the same account';
	is $t->post('/api/v1/auth/login', json => {email => $o->{user}{email}})->{status}, 400,
		'no password: 400, not a hint';
	is $t->post('/api/v1/auth/login', json => {email => $o->{user}{email}, password => 42})->{status}, 400,
		'a number as password: 400';
	my $none = $t->post('/api/v1/auth/login', json => {email => "nobody$$\@example.com", password => $PW});
	is "$none->{status} $none->{json}{error}{code}", '401 invalid_credentials', 'an unknown address: 401 as ever';
	is login_status_pw($o, 'wrong-password'), 401, 'a wrong password: 401';
	login_status_pw($o, 'wrong-password') for 2 .. 5;
	is login_status($o), 429, 'after five failures the right password is locked out too (429), no 403';
	is $t->sql("SELECT count(*) FROM refresh_tokens WHERE user_id = :'p1' AND revoked_at IS NULL",
	           $o->{user}{id})->[0][0], 0, 'no login made a session';
	is cancel($o)->{status}, 200, 'the cancel still works (it has its own limit)';
};
done_testing;
