# The dashboard's landing-page builder and custom-domain screen end to end
# in Debian's Chromium: the spec's "Landing Page Creation Flow" with its
# data-testids (log in, template, business name and description, subdomain,
# logo, colour, preview, publish), then the published page at its host
# (http://test-workshop.carbot.localhost:PORT/; *.localhost reaches loopback
# in Chromium) with its chat widget answering, and a custom domain verified
# by file after a failing check. carbotd runs auth, keys, templates,
# landing, chat and admin; the owner is premium (landing pages are a paid
# feature) and has a live key (the page's widget runs on it). The browser
# side is t/browser/admin-landing.mjs; screenshots of every new screen in
# both languages at 390 and 1280 px go to
# $CARBOT_BUILD/screenshots/admin/landing-*.png.
use strict;
use utf8;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/browser";
use Test::More;
use JSON::PP;
use File::Temp ();
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;
use CarBot::Landing;
use CarBot::Stub;
use CarBot::Browser;

binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);
CarBot::Browser::prepare();
my $index = CarBot::Browser::build_dir() . '/admin-ui/index.html';
unless (-s $index) { fail("$index is built (make admin-ui)"); done_testing; exit 1 }

# The owner's "web site" for the file check: it shows the token once the
# browser side has written it to $token_file (as the owner would upload it).
my $dir = File::Temp::tempdir('carbot-admin-landing-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $token_file = "$dir/carbot-verification.txt";
my @asked;
my $site = CarBot::Stub->new(routes => {
	'GET /.well-known/carbot-verification.txt' => sub {
		my ($req) = @_;
		open my $fh, '<', $token_file or return [404, ['Content-Type' => 'text/plain'], 'not here'];
		local $/;
		return [200, ['Content-Type' => 'text/plain'], scalar <$fh>];
	},
});

my $t = CarBot::Test->new(start => 0);
my $PORT = $t->port;
$t->write_conf(path => $t->conf_path, CarBot::Landing::options(
	more => ['keys', 'chat', 'admin'],
	auth => {access_ttl => 300},
	plugin_conf => {
		keys => {key_secret => $KEY_SECRET, cache_ttl => 0, ip_rate_limit => 100000, key_rate_limit => 100000},
		chat => {visitor_salt => 'visitor-salt-' . ('v' x 40), cache_ms => 0},
	},
	conf => {fetch_private_ok => 'on'},
	# the page's own links carry the port, as conf/carbot.conf has it for make run
	landing => {site_url => "http://{host}:$PORT", verify_url => $site->url(''), verify_timeout_ms => 3000,
	            cache_revalidate_ms => 0}));
$t->start_carbotd;

my $u = CarBot::Landing::premium($t);
my $key = CarBot::Keys::create($t, $u, domain => 'werkstatt-test.de', environment => 'prod');
is $key->{status}, 201, 'the owner has a live key for the page\'s widget' or diag $key->{content};

CarBot::Browser::run_tap('admin-landing.mjs', timeout => 1200, env => {
	BASE => 'http://localhost:' . $PORT,
	PAGE_URL => "http://test-workshop.$CarBot::Landing::BASE:$PORT/",
	SHOTS => CarBot::Browser::build_dir() . '/screenshots/admin',
	EMAIL => $u->{email},
	PASSWORD => $u->{password},
	TOKEN_FILE => $token_file,
	DOMAIN => 'www.test-workshop-example.de',
});

# What the browser did, seen through the API and the database.
my $h = bearer(CarBot::Auth::login($t, $u->{email}, $u->{password})->{access});
my $pages = $t->get('/api/v1/landing-pages', headers => $h)->{json}{landing_pages} || [];
my ($p) = grep { $_->{subdomain} eq 'test-workshop' } @$pages;
ok $p, 'the page test-workshop exists';
SKIP: {
	skip 'no page', 7 unless $p;
	is $p->{template_id}, 'modern-minimalist', 'made from the template chosen in the gallery';
	is $p->{configuration}{business_name}, 'Test Auto Workshop', 'with the business name typed';
	is $p->{configuration}{theme}{primary_color}, '#007bff', 'the colour filled in';
	like $p->{configuration}{theme}{logo_url} // '', qr{^/assets/$p->{id}/[0-9a-f]{64}\.png$}, 'the logo uploaded as this page\'s asset';
	is $p->{custom_domain}, 'www.test-workshop-example.de', 'the custom domain verified by file';
	my $kb = $t->get('/api/v1/knowledge', headers => $h)->{json} || {};
	is_deeply $kb->{hours}{weekly}{monday}, [{open => '08:00', close => '18:00'}],
		'the hours set in the page editor are the knowledge base\'s (one truth for the chat)';
	is_deeply $p->{configuration}{contact_info}{hours}{monday}{ranges}, [{open => '08:00', close => '18:00'}],
		'... and the page\'s';
}
my ($n) = @{$t->sql(q{SELECT count(*) FROM messages WHERE content = 'Wann habt ihr geöffnet?'})->[0]};
is $n, 1, 'the question asked on the published page was stored';
unlike $t->log, qr/cb_(?:prod|test)_[0-9a-f]{32}|carbot_refresh=[A-Za-z0-9_-]{20}/, 'no key or refresh token in the log';

done_testing;
