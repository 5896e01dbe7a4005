# The SDK 1.6 helpers as a plugin sees them (t/plugins/sdk16): query checks
# and pagination in the JSON checks' error shape, limits in characters, rows
# as JSON with one timestamp form, getters that tell NULL from 0, the one
# database-error reply, the cache, what a hook subscriber may not do, the
# users.v1 service, and the warning about a shadowed parameter route.
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);
use CarBot::Test;
use CarBot::Auth;

my $t = CarBot::Auth::server(test_plugins => ['sdk16', 'testkit'],
	plugin_conf => {sdk16 => {users => 'on', shadow => 'on'}});

sub fields { return [sort map { "$_->{field}:$_->{issue}" } @{$_[0]{json}{error}{details} || []}] }

subtest 'query checks: values pass, problems gather into one 400' => sub {
	my $u = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11';
	my $r = $t->get("/s16/query?n=-3&s=%C3%A4bc&b=true&colour=green&u=$u&page=2&limit=5&total=12");
	is $r->{status}, 200, 'all valid: 200' or diag explain $r->{json};
	is_deeply [@{$r->{json}}{qw(n s b colour u offset)}], [-3, 'äbc', 1, 1, lc $u, 5],
	  'int, str (3 characters in 4 bytes), bool, enum index, uuid lower-cased, offset';
	is_deeply $r->{json}{pagination}, {page => 2, limit => 5, total => 12, has_more => JSON::PP::true},
	  'the spec\'s pagination object';
	$r = $t->get('/s16/query?page=3&limit=5&total=12');
	is $r->{json}{pagination}{has_more}, JSON::PP::false, 'the last page has no more';
	$r = $t->get('/s16/query');
	is_deeply $r->{json}{pagination}, {page => 1, limit => 10, total => 0, has_more => JSON::PP::false},
	  'defaults: page 1, the default limit';
	$r = $t->get('/s16/query?n=x&s=abcd&b=maybe&colour=blue&u=nope&page=0&limit=51&strict=1');
	is $r->{status}, 400, 'all invalid: 400';
	is $r->{json}{error}{code}, 'validation_failed', 'validation_failed, as for JSON bodies';
	is_deeply fields($r), [sort qw(n:type s:too_long b:type colour:invalid u:invalid page:range
	                               limit:range need:missing)],
	  'every parameter named, with its issue';
	my %msg = map { $_->{field} => $_->{message} } @{$r->{json}{error}{details}};
	like $msg{s}, qr/at most 3 characters/, 'lengths are said in characters';
	like $msg{colour}, qr/one of: red, green/, 'an enum lists the words';
	$r = $t->get('/s16/query?n=6');
	is_deeply fields($r), ['n:range'], 'out of range';
	$r = $t->get('/s16/query?n=');
	is_deeply fields($r), ['n:type'], 'an empty value counts as given';
	$r = $t->get('/s16/query?n=99999999999999999999');
	is_deeply fields($r), ['n:type'], 'too many digits: no overflow, a type error';
	$r = $t->get('/s16/query?s=%FF%FE');
	is_deeply fields($r), ['s:invalid'], 'invalid UTF-8 is refused';
};

subtest 'text limits count characters, and say so' => sub {
	my $r = $t->post('/s16/text', json => {t => 'Grüße'});
	is $r->{status}, 200, '5 characters in 7 bytes fit a 5-character limit';
	is_deeply [@{$r->{json}}{qw(chars bytes)}], [5, 7], 'counted';
	is $t->post('/s16/text', json => {t => '🚗🚕'})->{status}, 200, 'two 4-byte characters are two';
	$r = $t->post('/s16/text', json => {t => 'Grüßen'});
	is_deeply fields($r), ['t:too_long'], '6 characters: too long';
	like $r->{json}{error}{details}[0]{message}, qr/^t must be at most 5 characters$/, 'in characters';
	$r = $t->post('/s16/text', json => {t => 'ü'});
	like $r->{json}{error}{details}[0]{message}, qr/at least 2 characters/, 'too short, in characters';
	is_deeply fields($t->post('/s16/text', json => {t => 5})), ['t:type'], 'a number: type';
	is_deeply fields($t->post('/s16/text', json => {})), ['t:missing'], 'absent: missing';
	is $t->post('/s16/text', json => {t => "a\x{0}b"})->{status}, 400, 'a NUL inside: refused';
};

subtest 'a row as JSON; instants in one ISO 8601 UTC form' => sub {
	my $r = $t->get('/s16/row');
	is $r->{status}, 200, '200';
	my $row = $r->{json}{row};
	is_deeply $row, {i => 7, big => 9000000000, f => 2.5, num => 1.25, yes => JSON::PP::true,
	                 nothing => undef, j => {a => [1]}, ts => '2026-12-04T09:30:00Z',
	                 ts_sql => '2026-12-04T09:30:00Z', s => 'x', null_int => undef,
	                 word => 'abc', zero => 0},
	  'typed members; timestamptz and CB_SQL_TS agree, in UTC';
	ok $r->{content} =~ /"i":7,/, 'numbers are numbers, not strings';
	is $r->{json}{past_end_is_null}, JSON::PP::true, 'a row past the end: NULL';
	is_deeply [@{$r->{json}}{qw(null_int word missing untouched zero zero_value)}],
	  ['CB_ENOTFOUND', 'CB_EINVAL', 'CB_ENOTFOUND', 42, 'CB_OK', 0],
	  'NULL, not a number, no such column and a real 0 are told apart';
	is_deeply [@{$r->{json}}{qw(num num_value)}], ['CB_OK', 1.25], 'numbers too';
};

subtest 'the one database-error reply: 500 for a bad query, 503 + Retry-After when down' => sub {
	my $r = $t->get('/s16/dberr');
	is $r->{status}, 500, 'a bad query: 500';
	is $r->{json}{error}{code}, 'internal_error', 'internal_error';
	unlike $r->{content}, qr/no_such_column/, 'the server\'s message stays in the log';
	ok((grep { ($_->{msg} // '') =~ /sdk16 bad column: database error 42703/ } @{$t->log_lines}),
	   'which names what failed and the SQLSTATE');
	$t->stop_pg;
	$r = $t->get('/s16/dberr');
	is $r->{status}, 503, 'database down: 503';
	is $r->{json}{error}{code}, 'unavailable', 'unavailable';
	is $r->{headers}{'retry-after'}, 1, 'Retry-After: 1';
	$t->start_pg;
};

subtest 'the cache: put, get, invalidate by key, size bound, TTL' => sub {
	is $t->put('/s16/cache/a', body => 'alpha')->{status}, 201, 'put a';
	my $r = $t->get('/s16/cache/a');
	is_deeply [$r->{status}, $r->{content}], [200, 'alpha'], 'get a';
	is $t->del('/s16/cache/a')->{status}, 200, 'invalidate a';
	is $t->get('/s16/cache/a')->{status}, 404, 'gone';
	is $t->del('/s16/cache/a')->{status}, 404, 'invalidating it again: not cached';
	$t->put("/s16/cache/$_", body => $_) for qw(k1 k2);
	$t->get('/s16/cache/k1');              # k2 is now the least recently used
	$t->put('/s16/cache/k3', body => 'k3'); # the bound is 2
	is $t->get('/s16/cache/k2')->{status}, 404, 'over the bound: the least recently used went';
	is $t->get('/s16/cache/k1')->{status}, 200, 'the recently used one stayed';
	sleep 2.5;                             # the TTL is 1 s
	is $t->get('/s16/cache/k1')->{status}, 404, 'after its TTL an entry is gone';
};

subtest 'a subscriber cannot end the emitter\'s transaction nor replace its reply' => sub {
	$t->sql('DELETE FROM sdk16_rows');
	my $r = $t->post('/s16/emit');
	is $r->{status}, 201, 'the emitter\'s reply stands (the subscriber tried 418)';
	is_deeply [@{$r->{json}}{qw(commit rollback begin reply)}],
	  [('CB_ESTATE') x 4], 'commit, rollback, begin and reply all refused inside the subscriber';
	is $r->{headers}{'x-s16-subscriber'}, 'ran', 'adding a header is allowed';
	is_deeply $t->sql('SELECT what FROM sdk16_rows ORDER BY id'), [['before'], ['after']],
	  'the failing subscriber\'s write is rolled back to its savepoint; the emitter\'s commit';
};

subtest 'users.v1: look up a user, set the tier, announce it' => sub {
	my $u = CarBot::Auth::register($t);
	my $r = $t->get("/s16/user/$u->{id}");
	is $r->{status}, 200, 'found';
	is_deeply $r->{json}, {id => $u->{id}, email => $u->{email}, tier => 'basic', status => 'active',
	                       role => 'user', language => 'de'}, 'id, e-mail, tier, status, role, language';
	is $t->get('/s16/user/a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')->{status}, 404, 'an unknown id: not found';
	is $t->get('/s16/user/nope')->{status}, 404, 'not a UUID: not found';
	$r = $t->post("/s16/tier/$u->{id}", json => {tier => 'premium', status => 'active'});
	is $r->{status}, 200, 'set_tier';
	is $r->{json}{old_tier}, 'basic', 'returns the old tier';
	is $t->sql("SELECT subscription_tier FROM users WHERE id = :'p1'", $u->{id})->[0][0], 'premium', 'stored';
	is_deeply $t->sql("SELECT payload->>'user_id', payload->>'old_tier', payload->>'new_tier', payload->>'status' FROM sdk16_events"),
	  [[$u->{id}, 'basic', 'premium', 'active']], 'subscription.changed with the documented payload';
	my $me = $t->get('/api/v1/auth/me', headers => CarBot::Auth::bearer($u->{access}))->{json};
	is $me->{user}{tier} // $me->{tier}, 'premium', 'the next request sees the tier';
	$r = $t->post("/s16/tier/$u->{id}", json => {tier => 'gold', status => 'active'});
	is $r->{status}, 400, 'an unknown tier is refused';
	is $t->sql("SELECT subscription_tier FROM users WHERE id = :'p1'", $u->{id})->[0][0], 'premium', 'unchanged';
};

subtest 'a literal route shadowing another plugin\'s parameter route: a startup warning' => sub {
	ok((grep { ($_->{msg} // '') =~ m{route GET /t/echo/literal of plugin 'sdk16' shadows route GET /t/echo/\{id\} of plugin 'testkit'} }
	    @{$t->log_lines}), 'naming both routes and plugins');
};

done_testing;
