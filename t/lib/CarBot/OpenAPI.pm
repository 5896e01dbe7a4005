package CarBot::OpenAPI;
# The OpenAPI document in the tests.
#
#   my $t = CarBot::OpenAPI::server();     # carbotd with every plugin of plugins/
#   my @routes = CarBot::OpenAPI::routes($t);   # ["GET", "/api/v1/x/{id}", ...] from /metrics
#
# validate_response (called by CarBot::Test::req for every JSON answer while
# CARBOT_OPENAPI_CHECK is not 0) is in CarBot::Test.
use strict;
use warnings;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing;

our $KEY_SECRET = 'key-secret-' . ('s' x 40);

sub server {
	my (%opt) = @_;
	my $pc = {
		keys => {key_secret => $KEY_SECRET},
		chat => {visitor_salt => 'visitor-salt-' . ('v' x 40)},
		billing => {stripe_api_base => 'http://127.0.0.1:9', stripe_api_key => 'sk_test_openapi',
		            webhook_secret => 'whsec_openapi'},
		notify => {smtp_url => 'smtp://127.0.0.1:9', smtp_tls => 'off', secret => 's' x 40,
		           public_url => 'http://carbot.test', mail_from => 'noreply@carbot.test'},
		gdpr => {secret => 'g' x 40},
		%{delete $opt{plugin_conf} || {}},
	};
	return CarBot::Landing::server(more => ['keys', 'chat', 'billing', 'notify', 'gdpr', 'admin'],
	                               plugin_conf => $pc, %opt);
}

# Every route carbotd registered, as [METHOD, pattern], from the loopback's
# /metrics (which lists each route, answered or not).
sub routes {
	my ($t) = @_;
	my $r = $t->get('/metrics');
	die "metrics: $r->{status}" unless $r->{status} == 200;
	my %seen;
	my @out;
	for my $l (split /\n/, $r->{content}) {
		next unless $l =~ /^carbot_http_request_duration_seconds_count\{route="(\w+) ([^"]+)"\}/;
		push @out, [$1, $2] unless $seen{"$1 $2"}++;
	}
	return @out;
}

# The options of a config with auth and t/plugins/oaprobe (whose routes and
# fragment disagree; mode => 'clash' or 'broken' for its other fragments).
sub options_for_probe {
	my ($t, %o) = @_;
	return (plugins => ['auth'], test_plugins => ['oaprobe'],
	        plugin_conf => {auth => {jwt_secret => $CarBot::Auth::SECRET},
	                        oaprobe => {%o}});
}

1;
