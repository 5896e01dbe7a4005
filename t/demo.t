# make run's demo data (scripts/demo.pl) against a carbotd with every
# plugin: the owner can log in, the landing page is published and its chat
# answers from the demo's knowledge, the test key works from localhost, and
# a second run changes nothing and prints the same.
use strict;
use utf8;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp ();
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;
use CarBot::Landing;

binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);
my $t = CarBot::Landing::server(
	more => ['keys', 'chat'],
	plugin_conf => {keys => {key_secret => $KEY_SECRET},
	                chat => {visitor_salt => 'visitor-salt-' . ('v' x 40)}},
);
my $var = File::Temp::tempdir('carbot-demo-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $psql = (glob '/usr/lib/postgresql/*/bin/psql')[-1] || 'psql';
(my $base = $t->url('')) =~ s{/$}{};
my @cmd = ($^X, "$FindBin::Bin/../scripts/demo.pl", '--url', $base, '--var', $var,
           '--psql', $psql, '--pghost', $t->pg_sockdir, '--pgport', $t->pg_port, '--wait', 10);

my $out = `@{[map { quotemeta } @cmd]} 2>&1`;
is $?, 0, 'demo.pl succeeds' or diag $out;
my ($password) = $out =~ m{demo\@werkstatt-demo\.de  /  (\S+)};
my ($prod) = $out =~ /Client key \(prod\):\s+(cb_prod_\w+)/;
my ($test) = $out =~ /Client key \(test\):\s+(cb_test_\w+)/;
ok $password && $prod && $test, 'prints the login and both keys';
ok -e "$var/demo.txt", 'and keeps them in var/demo.txt';
is sprintf('%o', (stat "$var/demo.txt")[2] & 0777), '600', 'readable by the operator only';

my $login = CarBot::Auth::login($t, 'demo@werkstatt-demo.de', $password);
is $login->{status}, 200, 'the owner can log in';
is $t->sql("SELECT subscription_tier FROM users WHERE email = 'demo\@werkstatt-demo.de'")->[0][0], 'premium',
	'premium';

my $page = $t->get('/p/werkstatt-demo');
is $page->{status}, 200, 'the landing page is published at /p/werkstatt-demo';
like $page->{content}, qr/Werkstatt Demo/, 'with the business';
my ($page_id) = $page->{content} =~ /data-carbot-page="([0-9a-f-]{36})"/;
ok $page_id, 'and the chat widget';
my $origin = $base;
my $init = $t->post('/api/v1/widget/init', headers => {Origin => $origin, 'X-CarBot-Page' => $page_id},
                    json => {domain => '127.0.0.1'});
is $init->{status}, 200, 'the page\'s widget starts a session' or diag $init->{content};
my $chat = $t->post('/api/v1/widget/chat', headers => {Origin => $origin, 'X-CarBot-Page' => $page_id},
                    json => {session_id => $init->{json}{session_id}, message => 'Was kostet ein Ölwechsel?'});
is $chat->{status}, 200, 'and answers';
like $chat->{json}{response}, qr/79/, 'with the demo\'s price for an oil change';

my $local = $t->post('/api/v1/widget/chat', headers => {Origin => 'http://localhost:5173'},
                     json => {client_key => $test, session_id => 'demo0000001', message => 'Hallo'});
is $local->{status}, 200, 'the test key works from a localhost page';
$local = $t->post('/api/v1/widget/chat', headers => {Origin => 'http://localhost:5173'},
                  json => {client_key => $test, session_id => 'demo0000002', message => 'Was kostet ein Ölwechsel?'});
like $local->{json}{response}, qr/ab 79 €/, 'and knows the business\'s prices (one knowledge base for every key)';

my $again = `@{[map { quotemeta } @cmd]} 2>&1`;
is $?, 0, 'a second run succeeds';
is $again, $out, 'and prints the same';
is $t->sql("SELECT count(*) FROM users WHERE email = 'demo\@werkstatt-demo.de'")->[0][0], 1, 'one demo owner';
is $t->sql("SELECT count(*) FROM landing_pages WHERE subdomain = 'werkstatt-demo'")->[0][0], 1, 'one page';

unlink "$var/demo.txt";
my $gone = `@{[map { quotemeta } @cmd]} 2>&1`;
isnt $?, 0, 'the demo owner without var/demo.txt: refused';
like $gone, qr/^demo\.pl: .*exists.*remove var/, 'with one line saying what to do';

my $none = `$^X $FindBin::Bin/../scripts/demo.pl --url http://127.0.0.1:1 --var $var --pid 999999 2>&1`;
isnt $?, 0, 'no carbotd: refused';
like $none, qr/^demo\.pl: carbotd stopped$/m, 'at once, saying so';
done_testing;
