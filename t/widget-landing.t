# A published landing page's chat widget end to end: carbotd with the real
# auth, templates, landing, keys and chat plugins serves the page by Host
# (http://{subdomain}.carbot.localhost:PORT/: *.localhost reaches loopback in
# Chromium), /widget.js and the widget API. The page carries no key, only
# data-carbot-page; the widget sends X-CarBot-Page, the keys plugin finds the
# owner's prod key through landing.v1. Chromium opens the chat with the
# page's appointment button and asks for the hours and a price. The browser
# side is t/browser/landing.mjs.
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
use CarBot::Browser;

binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);
CarBot::Browser::prepare();

my $t = CarBot::Landing::server(
	more => ['keys', 'chat'],
	plugin_conf => {
		keys => {key_secret => $KEY_SECRET, cache_ttl => 0, ip_rate_limit => 100000,
		         key_rate_limit => 100000},
		chat => {visitor_salt => 'visitor-salt-' . ('v' x 40)},
	},
);
my $BASE = $CarBot::Landing::BASE;

my $u = CarBot::Landing::premium($t);
my $k = CarBot::Keys::create($t, $u, domain => 'werkstatt-mueller.de');
is $k->{status}, 201, 'a prod client key for werkstatt-mueller.de' or diag $k->{content};
my $page = CarBot::Landing::published($t, $u);
ok $page->{is_published}, 'a landing page with hours and priced services, published';
my $host = "$page->{subdomain}.$BASE";

my $r = CarBot::Landing::host_get($t, $host, '/');
is $r->{status}, 200, "GET / with Host: $host";
like $r->{content}, qr{<script src="/widget\.js" data-carbot-page="\Q$page->{id}\E" data-theme="light" [^>]*async></script>},
	'the page embeds the widget by page id';
unlike $r->{content}, qr/cb_prod_/, '... and no key';
like $r->{headers}{'content-security-policy'}, qr/script-src 'self'/, "CSP: script-src 'self'";
like $r->{headers}{'content-security-policy'}, qr/connect-src 'self'/, "CSP: connect-src 'self'";
my $svc = $page->{configuration}{services}[1];
is $svc->{name}, 'Reifenwechsel', 'the page lists Reifenwechsel';
is $svc->{price}, '39 €', '... for 39 €';

CarBot::Browser::run_tap('landing.mjs', env => {
	PAGE_URL => "http://$host:" . $t->port . '/',
	PAGE_HOST => $host,
	PAGE_ID => $page->{id},
	BRAND_RGB => 'rgb(0, 85, 170)', # theme.primary_color #0055aa
	HOURS => '08:00',
	PRICE_Q => 'Was kostet ein Reifenwechsel?',
	PRICE => do { my $p = '39 €'; utf8::encode($p); $p },
});

my ($convs) = @{$t->sql(q{SELECT count(*) FROM conversations WHERE client_key_id = :'p1'}, $k->{id})->[0]};
is $convs, 1, "the conversation was stored under the owner's key";
my ($msgs) = @{$t->sql(q{SELECT count(*) FROM messages WHERE content = 'Wann habt ihr geöffnet?'})->[0]};
is $msgs, 1, "the visitor's question was stored";

done_testing;
