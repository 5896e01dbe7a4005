package CarBot::Keys;
# Helpers for the keys plugin's tests: a carbotd with auth + keys (+ the
# keysprobe test plugin), users of a tier, keys made through the API.
#
#   my $t = CarBot::Keys::server(keys => {cache_ttl => 0});
#   my $u = CarBot::Keys::user($t, 'premium');   # CarBot::Auth::register + tier
#   my $k = CarBot::Keys::create($t, $u, domain => 'shop.example.de');
#   # $k = {status, json, key (the full key), id}
#   $t->post('/t/widget-probe', headers => {'X-CarBot-Key' => $k->{key},
#                                          Origin => 'https://shop.example.de'});
use strict;
use warnings;
use Exporter 'import';
use CarBot::Test;
use CarBot::Auth;

our @EXPORT = qw($KEY_SECRET);

our $KEY_SECRET = 'key-secret-' . ('s' x 40);
my $n = 0;

# A harness with auth, keys and keysprobe; keys => {...} adds to or
# overrides the keys plugin's settings; %opt goes on to CarBot::Auth::server.
sub server {
	my (%opt) = @_;
	# room for the many keys of one owner the keys tests make; the plans'
	# key limits are tested in t/integ-key-limits.t
	my $keys = {key_secret => $KEY_SECRET, basic_max_keys => -1, premium_max_keys => -1,
	            %{delete $opt{keys} || {}}};
	my $conf = {fetch_private_ok => 'on', job_poll_ms => 50, %{delete $opt{conf} || {}}};
	return CarBot::Auth::server(
		plugin_conf => {keys => $keys, %{delete $opt{plugin_conf} || {}}},
		plugins => ['auth', 'keys'], test_plugins => ['keysprobe'], conf => $conf, %opt);
}

# A registered user of tier (default basic), with access token.
sub user {
	my ($t, $tier) = @_;
	my $u = CarBot::Auth::register($t);
	die "register failed: $u->{status} $u->{content}" unless $u->{status} == 201;
	CarBot::Auth::set_tier($t, $u->{id}, $tier) if $tier && $tier ne 'basic';
	return $u;
}

# A fresh, unique domain name.
sub domain { return sprintf 'shop%d-%d.example.de', $$, ++$n }

# Creates a key for user $u; %body goes into the request (domain defaults
# to a fresh one).
sub create {
	my ($t, $u, %body) = @_;
	$body{domain} //= domain();
	my $r = $t->post('/api/v1/client-keys', headers => bearer($u->{access}), json => \%body);
	my $j = $r->{json} || {};
	return {%$r, key => $j->{key}, id => $j->{id}, domain => $j->{domain}};
}

# Calls the keysprobe route behind the client-key authenticator.
sub probe {
	my ($t, $key, $origin, %o) = @_;
	my %h = (%{$o{headers} || {}});
	$h{'X-CarBot-Key'} = $key if defined $key;
	$h{Origin} = $origin if defined $origin;
	return $t->post('/t/widget-probe', headers => \%h,
	                exists $o{json} ? (json => $o{json}) : ());
}

# The keys.v1 service's validate() through keysprobe.
sub validate {
	my ($t, $key, $origin) = @_;
	return $t->post('/t/keys-validate', json => {key => $key, defined $origin ? (origin => $origin) : ()})->{json};
}

# The keys.v1 service's record_usage() through keysprobe.
sub record {
	my ($t, $key_id, $kind) = @_;
	return $t->post('/t/keys-validate', json => {key_id => $key_id, record => $kind})->{json};
}

1;
