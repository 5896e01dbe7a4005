# Every address the README names, in Chromium, with a chat that answers:
# carbotd configured as conf/carbot.conf configures it for `make run`
# (site_url = http://{host}:PORT: the Host header already carries the port),
# the demo data of scripts/demo.pl, and then
#   http://127.0.0.1:PORT/p/werkstatt-demo     (the README's demo URL)
#   http://localhost:PORT/p/werkstatt-demo     (the same, by name)
#   http://werkstatt-demo.carbot.localhost:PORT/  (the page by Host)
#   a page of the developer's own on http://127.0.0.1:OTHER embedding the
#   widget with the demo's test key for "localhost" ("any localhost page")
# The browser side is t/browser/readme.mjs.
use strict;
use utf8;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/browser";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;
use CarBot::Landing;
use CarBot::Stub;
use CarBot::Browser;
use CarBot::Stripe;
use File::Temp ();

binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);
CarBot::Browser::prepare();

my %landing = (base_domain => $CarBot::Landing::BASE);
# billing in local test mode against the Stripe stand-in, as make run has it:
# the demo owner buys premium (landing pages) through checkout
my $t = CarBot::Test->new(start => 0);
my $PORT = $t->port;
my $s = CarBot::Stripe->start(webhook_url => $t->url('/api/v1/billing/webhook'));
my @opt = (more => ['keys', 'chat', 'billing'],
           plugin_conf => {keys => {key_secret => $KEY_SECRET, cache_ttl => 0},
                           chat => {visitor_salt => 'visitor-salt-' . ('v' x 40)},
                           billing => {stripe_api_base => $s->url, stripe_api_key => $API_KEY,
                                       webhook_secret => $WEBHOOK_SECRET, test_mode => 'on'}},
           conf => {fetch_private_ok => 'on', job_poll_ms => 50});
# what conf/carbot.conf says: site_url = http://{host}:${PORT:-8080}
$t->write_conf(path => $t->conf_path,
               CarBot::Landing::options(@opt, landing => {site_url => "http://{host}:$PORT"}));
$t->start_carbotd;

my $var = File::Temp::tempdir('carbot-readme-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $psql = (glob '/usr/lib/postgresql/*/bin/psql')[-1] || 'psql';
my $base = "http://127.0.0.1:$PORT";
my @cmd = ($^X, "$FindBin::Bin/../scripts/demo.pl", '--url', $base, '--var', $var,
           '--psql', $psql, '--pghost', $t->pg_sockdir, '--pgport', $t->pg_port, '--wait', 10);
my $out = `@{[map { quotemeta } @cmd]} 2>&1`;
is $?, 0, 'demo.pl made the demo data' or diag $out;
my ($test) = $out =~ /Client key \(test\):\s+(cb_test_\w+)/;
ok $test, 'and printed the test key';
my @urls = $out =~ m{(http://\S+/p/werkstatt-demo|http://werkstatt-demo\.\S+/)}g;
is_deeply \@urls, ["$base/p/werkstatt-demo", "http://werkstatt-demo.carbot.localhost:$PORT/"],
	'it names the page at /p/ and by Host';

# the README's own wording names these addresses
open my $fh, '<:encoding(UTF-8)', "$FindBin::Bin/../README.md" or die $!;
my $readme = do { local $/; <$fh> };
like $readme, qr{http://127\.0\.0\.1:8080/p/werkstatt-demo}, 'README names /p/werkstatt-demo on 127.0.0.1';

my $own = CarBot::Browser::page(src => "$base/widget.js", key => $test, title => 'Meine Seite');
my $site = CarBot::Stub->new(routes => {
	'GET /' => sub { [200, ['Content-Type' => 'text/html; charset=utf-8'], $own] } });

CarBot::Browser::run_tap('readme.mjs', env => {
	URLS => join(' ', "$base/p/werkstatt-demo", "http://localhost:$PORT/p/werkstatt-demo",
	             "http://werkstatt-demo.carbot.localhost:$PORT/", 'http://127.0.0.1:' . $site->port . '/',
	             'http://localhost:' . $site->port . '/'),
	SHOTS => CarBot::Browser::build_dir() . '/screenshots',
});

my ($n) = @{$t->sql(q{SELECT count(*) FROM messages WHERE content = 'Wann habt ihr geöffnet?'})->[0]};
is $n, 5, 'each address\'s question was stored';
done_testing;
