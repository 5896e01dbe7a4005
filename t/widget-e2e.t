# The chat widget end to end: carbotd with the real auth, keys and chat
# plugins serves /widget.js and the widget API; a host page on another origin
# (http://localhost:PORT, allowed by a test key for "localhost") embeds it;
# Chromium opens the chat, talks to the bot, reloads, tabs through it, runs
# axe-core. The browser side is t/browser/widget.mjs (SUITE=e2e).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/browser";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Stub;
use CarBot::Browser;

my $widget_js = CarBot::Browser::prepare();

my $t = CarBot::Auth::server(
	plugins => ['auth', 'keys', 'chat'],
	plugin_conf => {
		keys => {key_secret => 'key-secret-' . ('s' x 40), cache_ttl => 0,
		         ip_rate_limit => 100000, key_rate_limit => 100000},
		chat => {visitor_salt => 'visitor-salt-' . ('v' x 40)},
	},
);

sub slurp { open my $fh, '<:raw', $_[0] or die "$_[0]: $!"; local $/; <$fh> }

# An owner with a test key for localhost, made through the keys API.
my $u = CarBot::Auth::register($t);
is $u->{status}, 201, 'owner registered' or diag $u->{content};
my $k = $t->post('/api/v1/client-keys', headers => bearer($u->{access}),
                 json => {domain => 'localhost', environment => 'test'});
is $k->{status}, 201, 'test key for localhost created' or diag $k->{content};
my $key = $k->{json}{key} // '';
like $key, qr/^cb_test_/, 'the key is a test key';

# carbotd serves the bundle that make built.
my $js = $t->get('/widget.js');
is $js->{status}, 200, 'GET /widget.js';
like $js->{headers}{'content-type'}, qr{^application/javascript}, '... as JavaScript';
ok $js->{content} eq slurp($widget_js), '... the built bundle';
my $gz = $t->get('/widget.js', headers => {'Accept-Encoding' => 'gzip'});
is $gz->{headers}{'content-encoding'}, 'gzip', '... gzipped when asked';
cmp_ok length $gz->{content}, '<=', 12 * 1024, '... at most 12 KB on the wire';

my $src = $t->url('/widget.js');
my $HOSTILE = '* { color: red !important; font-size: 40px !important; display: block !important; } '
            . 'button { display: none !important; } '
            . 'div, [data-carbot-widget] { width: 10px !important; height: 10px !important; '
            . 'position: static !important; transform: scale(1.5) !important; opacity: 0.2 !important; }';
my %pages = (
	'/' => CarBot::Browser::page(src => $src, key => $key),
	'/hostile.html' => CarBot::Browser::page(src => $src, key => $key, css => $HOSTILE),
);
my $site = CarBot::Stub->new(routes => {
	map { my $html = $pages{$_}; ("GET $_" => sub { [200, ['Content-Type' => 'text/html; charset=utf-8'], $html] }) }
	keys %pages
});

CarBot::Browser::run_tap('widget.mjs', env => {SUITE => 'e2e', PAGE_BASE => 'http://localhost:' . $site->port});

# What the browser did arrived where it belongs.
my ($convs) = @{$t->sql('SELECT count(*) FROM conversations')->[0]};
cmp_ok $convs, '>=', 5, "conversations were stored ($convs)";
my ($msgs) = @{$t->sql(q{SELECT count(*) FROM messages WHERE content = 'Hallo, ich brauche Hilfe mit meinem Auto'})->[0]};
cmp_ok $msgs, '>=', 5, "the visitor's messages were stored ($msgs)";
my ($xss) = @{$t->sql(q{SELECT count(*) FROM messages WHERE content = '<img src=x onerror=alert(1)>'})->[0]};
is $xss, 1, 'the markup message was stored as sent';
my ($opened) = @{$t->sql(q{SELECT count(*) FROM analytics_events WHERE event_type = 'widget_opened'})->[0]};
cmp_ok $opened, '>=', 5, "widget_opened events were recorded ($opened)";

done_testing;
