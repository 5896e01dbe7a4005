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
use CarBot::Stripe;
# with billing in local test mode against the Stripe stand-in, as make run
my $t = CarBot::Test->new(start => 0);
my $s = CarBot::Stripe->start(webhook_url => $t->url('/api/v1/billing/webhook'));
$t->write_conf(path => $t->conf_path, CarBot::Landing::options(
	more => ['keys', 'chat', 'billing'],
	plugin_conf => {keys => {key_secret => $KEY_SECRET},
	                chat => {visitor_salt => 'visitor-salt-' . ('v' x 40)},
	                billing => {stripe_api_base => $s->url, stripe_api_key => $API_KEY,
	                            webhook_secret => $WEBHOOK_SECRET, test_mode => 'on'}},
	conf => {fetch_private_ok => 'on', job_poll_ms => 50}));
$t->start_carbotd;
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
is $t->sql("SELECT subscription_tier || '/' || subscription_status FROM users WHERE email = 'demo\@werkstatt-demo.de'")->[0][0],
	'premium/active', 'premium, active';
my $sub = $t->get('/api/v1/billing/subscription', headers => bearer($login->{json}{tokens}{access_token}))->{json};
is "$sub->{plan}/$sub->{status}/$sub->{interval}", 'premium/active/month',
	'through a real subscription (checkout paid at the stand-in), not SQL';
is scalar(grep { ($_->{metadata}{user_id} // '') ne '' } values %{$s->state->{customers}}), 1,
	'the stand-in has the demo owner as its customer';
# 14 days later the trial ends: the demo owner stays premium
my $uid = $t->sql("SELECT id FROM users WHERE email = 'demo\@werkstatt-demo.de'")->[0][0];
$t->sql("UPDATE users SET trial_ends_at = now() - interval '1 second' WHERE id = :'p1'", $uid);
$t->sql("UPDATE cb_jobs SET run_at = now() WHERE name = 'billing.trial_end' AND status = 'pending' AND payload->>'user_id' = :'p1'", $uid);
ok wait_for(sub { $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'billing.trial_end' AND status = 'pending' AND payload->>'user_id' = :'p1'", $uid)->[0][0] == 0 }),
	'the end of the trial ran';
is $t->sql("SELECT subscription_tier FROM users WHERE id = :'p1'", $uid)->[0][0], 'premium',
	'and the demo owner is still premium';

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
