# The chat widget in Chromium against a fake widget API: the same scenarios
# as widget-e2e.t plus what the real server cannot be made to do on demand
# (failed sends, a failing /init, 429, a long typing delay, markup in a bot
# reply). The fake speaks the API of plugins/chat over real HTTP with CORS,
# on another port than the host pages, as in production.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/browser";
use Test::More;
use JSON::PP;
use File::Temp ();
use CarBot::Stub;
use CarBot::Browser;

my $widget_js = CarBot::Browser::prepare();
my $JSON = JSON::PP->new->utf8->canonical;
my $state = File::Temp::tempdir('carbot-widget-ui-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $KEY = 'cb_test_' . ('a' x 32);
my $FAILKEY = 'cb_test_' . ('f' x 32);
my $SLOWKEY = 'cb_test_' . ('s' x 32); # /init answers after 1.5 s
my $DEADKEY = 'cb_test_' . ('d' x 32); # /init always fails

sub slurp { open my $fh, '<:raw', $_[0] or die "$_[0]: $!"; local $/; <$fh> }

# Once per name (the stub forks per connection: state lives in files).
sub first_time {
	my ($name) = @_;
	my $f = "$state/$name";
	return 0 if -e $f;
	open my $fh, '>', $f or die "$f: $!";
	return 1;
}

sub cors {
	my ($req) = @_;
	my $origin = $req->{headers}{origin} // '';
	return () unless $origin =~ m{^http://localhost:\d+$};
	return ('Access-Control-Allow-Origin' => $origin, 'Vary' => 'Origin',
	        'Access-Control-Expose-Headers' => 'Retry-After');
}

sub json_reply {
	my ($req, $status, $body, @h) = @_;
	return [$status, ['Content-Type' => 'application/json', cors($req), @h], $JSON->encode($body)];
}

sub api_error {
	my ($req, $status, $code, $msg, @h) = @_;
	return json_reply($req, $status, {error => {code => $code, message => $msg, details => []}}, @h);
}

sub body_of {
	my ($req) = @_;
	my $b = eval { $JSON->decode($req->{body}) };
	return ref $b eq 'HASH' ? $b : undef;
}

sub init {
	my ($req) = @_;
	my $b = body_of($req) or return api_error($req, 400, 'invalid_json', 'Body is not JSON');
	return api_error($req, 401, 'invalid_client_key', 'Unknown client key')
	  unless ($b->{client_key} // '') =~ /^cb_test_/;
	return api_error($req, 503, 'unavailable', 'Try again')
	  if $b->{client_key} eq $FAILKEY && first_time('initfail');
	return api_error($req, 503, 'unavailable', 'Down') if $b->{client_key} eq $DEADKEY;
	select undef, undef, undef, 1.5 if $b->{client_key} eq $SLOWKEY;
	return api_error($req, 400, 'validation_error', 'domain') unless ($b->{domain} // '') eq 'localhost';
	# As plugins/chat: a known session_id is resumed, anything else gets a new one.
	my $sid = $b->{session_id} // '';
	my $resumed = $sid =~ /^[0-9a-f]{32}$/ && -e "$state/session-$sid";
	$sid = join '', map { sprintf '%02x', int rand 256 } 1 .. 16 unless $resumed;
	first_time("session-$sid");
	my @chips = ("\x{d6}ffnungszeiten", 'Termin vereinbaren');
	return json_reply($req, 200, {
		session_id => $sid, resumed => $resumed ? JSON::PP::true : JSON::PP::false,
		config => {
			theme => 'light', position => 'bottom-right', primary_color => '#0b6e4f',
			greeting_message => "Hallo! Ich bin der digitale Assistent von Autohaus M\x{fc}ller.",
			placeholder_text => "Ihre Frage\x{2026}", business_name => "Autohaus M\x{fc}ller",
			avatar_url => undef, locale => 'de', open_now => JSON::PP::false,
			next_open => 'Mo 08:00', suggestions => \@chips,
		},
		suggestions => \@chips,
	});
}

sub chat {
	my ($req) = @_;
	my $b = body_of($req) or return api_error($req, 400, 'invalid_json', 'Body is not JSON');
	my ($sid, $msg) = ($b->{session_id} // '', $b->{message} // '');
	return api_error($req, 400, 'invalid_session', 'Unknown session')
	  unless $sid =~ /^[0-9a-f]{32}$/ && -e "$state/session-$sid";
	return api_error($req, 400, 'validation_error', 'context.page_url')
	  unless ref $b->{context} eq 'HASH' && $b->{context}{page_url};
	return api_error($req, 500, 'internal', 'Boom')
	  if $msg =~ /Fehler-Test/ && first_time("fail-$sid");
	return api_error($req, 429, 'rate_limited', 'Slow down', 'Retry-After' => 30)
	  if $msg =~ /Zu-viel-Test/;
	my $text = $msg eq 'html-test' ? '<b>fett</b> <img src=x onerror=alert(2)>'
	         : $msg eq 'Notfall-Test' ? "Bei einer Panne: Warnblinker an, Warnweste anziehen, Warndreieck "
	           . "aufstellen und hinter die Leitplanke gehen. Unser Notdienst ist rund um die Uhr unter "
	           . "0151 234 5678 erreichbar, schriftlich unter notdienst\@autohaus-mueller.de. "
	           . "Ge\x{f6}ffnet 08:00-18:00, Inspektion ab 149 \x{20ac}, am 24.12.2026 geschlossen. "
	           . 'Kein Link: "><img src=x onerror=alert(3)>@x.de und +49 (30) 123 45 67.'
	         : "Sie schrieben: $msg. Wie kann ich helfen?";
	return json_reply($req, 200, {
		response => $text, session_id => $sid,
		conversation_id => '00000000-0000-4000-8000-000000000001',
		suggestions => ["\x{d6}ffnungszeiten", 'Termin vereinbaren'],
		typing_delay => $msg =~ /Langsam/ ? 1500 : 150,
	});
}

sub events {
	my ($req) = @_;
	my $b = body_of($req) or return api_error($req, 400, 'invalid_json', 'Body is not JSON');
	return json_reply($req, 202, {accepted => scalar @{$b->{events} || []}});
}

my %api;
for my $name (qw(init chat events)) {
	$api{"OPTIONS /api/v1/widget/$name"} = sub {
		my ($req) = @_;
		[204, [cors($req), 'Access-Control-Allow-Methods' => 'POST',
		       'Access-Control-Allow-Headers' => 'Content-Type, X-CarBot-Key',
		       'Access-Control-Max-Age' => 600], ''];
	};
}
$api{'POST /api/v1/widget/init'} = \&init;
$api{'POST /api/v1/widget/chat'} = \&chat;
$api{'POST /api/v1/widget/events'} = \&events;
$api{'GET /widget.js'} = sub { [200, ['Content-Type' => 'application/javascript; charset=utf-8'], slurp($widget_js)] };
my $api = CarBot::Stub->new(routes => \%api);
my $src = $api->url('/widget.js');

# Page CSS aimed at everything, including the widget's host element (a div).
# (A transform on <html> or <body> would scale any fixed element, the widget
# too: no widget can undo that, so it is not part of the attack.)
my $HOSTILE = '* { color: red !important; font-size: 40px !important; display: block !important; '
            . 'line-height: 3 !important; font-family: serif !important; } '
            . 'button { display: none !important; } '
            . 'div, [data-carbot-widget] { width: 10px !important; height: 10px !important; '
            . 'position: static !important; transform: scale(1.5) !important; opacity: 0.2 !important; '
            . 'filter: blur(2px) !important; }';
my %pages = (
	'/' => CarBot::Browser::page(src => $src, key => $KEY),
	'/hostile.html' => CarBot::Browser::page(src => $src, key => $KEY, css => $HOSTILE),
	'/en.html' => CarBot::Browser::page(src => $src, key => $KEY, lang => 'en',
	                                    data => {position => 'bottom-left', theme => 'dark'}),
	'/local.html' => CarBot::Browser::page(src => $src, key => $KEY, data => {storage => 'local'}),
	'/initfail.html' => CarBot::Browser::page(src => $src, key => $FAILKEY),
	'/slow.html' => CarBot::Browser::page(src => $src, key => $SLOWKEY),
	'/dead.html' => CarBot::Browser::page(src => $src, key => $DEADKEY, data => {phone => '+49 30 1234567'}),
	'/long.html' => CarBot::Browser::page(src => $src, key => $KEY,
		body => join('', map { "<p><a href=\"#l$_\">Link $_</a> Text, der die Seite lang macht.</p>" } 1 .. 60)),
);
my $site = CarBot::Stub->new(routes => {
	map { my $html = $pages{$_}; ("GET $_" => sub { [200, ['Content-Type' => 'text/html; charset=utf-8'], $html] }) }
	keys %pages
});

CarBot::Browser::run_tap('widget.mjs', env => {SUITE => 'ui', PAGE_BASE => 'http://localhost:' . $site->port});
done_testing;
