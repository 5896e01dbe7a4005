package CarBot::Chat;
# Helpers for the chat plugin's tests: a carbotd with auth + keys + chat,
# an owner with a key, and widget calls made the way the widget makes them.
#
#   my $t = CarBot::Chat::server(chat => {llm_url => ...});
#   my $o = CarBot::Chat::owner($t, domain => 'werkstatt.example');
#   # $o = {user (CarBot::Auth user), key, key_id, domain, origin}
#   my $r = CarBot::Chat::init($t, $o);
#   my $c = CarBot::Chat::chat($t, $o, $r->{json}{session_id}, 'Wann habt ihr offen?');
use strict;
use warnings;
use Exporter 'import';
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;

our @EXPORT = qw($VISITOR_SALT);

our $VISITOR_SALT = 'visitor-salt-' . ('v' x 40);

# A harness with auth, keys and chat (landing too with landing => 1);
# chat => {...} and keys => {...} add to or override settings. Rate limits of
# the keys plugin are raised so tests are not throttled by accident.
sub server {
	my (%opt) = @_;
	my $chat = {visitor_salt => $VISITOR_SALT, %{delete $opt{chat} || {}}};
	my $keys = {key_secret => $KEY_SECRET, ip_rate_limit => 100000, key_rate_limit => 100000,
	            cache_ttl => 0, %{delete $opt{keys} || {}}};
	my $conf = {fetch_private_ok => 'on', job_poll_ms => 50, trusted_proxies => '127.0.0.1',
	            %{delete $opt{conf} || {}}};
	my @plugins = ('auth', 'keys', 'chat');
	return CarBot::Auth::server(
		plugin_conf => {keys => $keys, chat => $chat, %{delete $opt{plugin_conf} || {}}},
		plugins => \@plugins, conf => $conf, %opt);
}

# An owner (user of tier, default basic) with a key for domain (fresh by
# default; environment prod unless env => 'test').
sub owner {
	my ($t, %o) = @_;
	my $u = CarBot::Keys::user($t, $o{tier});
	my $k = CarBot::Keys::create($t, $u, domain => $o{domain} // CarBot::Keys::domain(),
	                             $o{env} ? (environment => $o{env}) : ());
	die "key create failed: $k->{status} $k->{content}" unless $k->{status} == 201;
	return {user => $u, key => $k->{key}, key_id => $k->{id}, domain => $k->{domain},
	        origin => "https://$k->{domain}", bearer => bearer($u->{access})};
}

# Headers of a widget request from the owner's site (ip => '203.0.113.5'
# sends X-Forwarded-For, which the harness's trusted_proxies believes).
sub headers {
	my ($o, %h) = @_;
	my %out = (Origin => $o->{origin}, 'User-Agent' => 'Mozilla/5.0 (chat test)');
	$out{'X-Forwarded-For'} = delete $h{ip} if $h{ip};
	return {%out, %h};
}

sub init {
	my ($t, $o, %body) = @_;
	my $h = delete $body{headers} || {};
	return $t->post('/api/v1/widget/init', headers => headers($o, %$h),
	                json => {client_key => $o->{key}, domain => $o->{domain}, %body});
}

sub chat {
	my ($t, $o, $sid, $message, %x) = @_;
	my $h = delete $x{headers} || {};
	return $t->post('/api/v1/widget/chat', headers => headers($o, %$h),
	                json => {client_key => $o->{key}, session_id => $sid, message => $message, %x});
}

sub events {
	my ($t, $o, $events, %x) = @_;
	my $h = delete $x{headers} || {};
	return $t->post('/api/v1/widget/events', headers => headers($o, %$h),
	                json => {client_key => $o->{key}, events => $events, %x});
}

# A new session id of the owner's key.
sub session {
	my ($t, $o) = @_;
	my $r = init($t, $o);
	die "init failed: $r->{status} $r->{content}" unless $r->{status} == 200;
	return $r->{json}{session_id};
}

1;
