package CarBot::Auth;
# Helpers for the auth plugin's tests: a carbotd with auth, users made
# through the API, and JWTs forged in Perl (HS256 with core Digest::SHA).
#
#   my $t = CarBot::Auth::server(auth => {rate_basic => 3});
#   my $u = CarBot::Auth::register($t, email => 'a@example.com');
#   # $u = {status, json, email, password, access, refresh, id}
#   $t->get('/api/v1/auth/me', headers => bearer($u->{access}));
#   my $tok = jwt({alg => 'HS256'}, {sub => ...}, $SECRET);
use strict;
use warnings;
use Exporter 'import';
use Digest::SHA qw(hmac_sha256 hmac_sha512);
use MIME::Base64 qw(encode_base64url decode_base64url);
use JSON::PP;
use CarBot::Test;

our @EXPORT = qw(bearer jwt jwt_parts $SECRET $PASSWORD);

our $SECRET = 'test-secret-' . ('k' x 40);
our $PASSWORD = 'Correct-Horse-7-Battery';
my $JSON = JSON::PP->new->utf8->canonical;
my $n = 0;

# A harness with the auth plugin: bcrypt cost 4 (fast) unless auth => {...}
# says otherwise; %opt goes to CarBot::Test->new (conf, start, ...).
sub server {
	my (%opt) = @_;
	my $auth = {jwt_secret => $SECRET, bcrypt_cost => 4, register_per_ip => 1000,
	            %{delete $opt{auth} || {}}};
	my $conf = {%{delete $opt{plugin_conf} || {}}, auth => $auth};
	return CarBot::Test->new(plugins => ['auth'], plugin_conf => $conf, %opt);
}

sub bearer { return {Authorization => "Bearer $_[0]"} }

# A fresh, unique email address.
sub email { return sprintf 'user%d.%d@example.com', $$, ++$n }

# Registers a user; returns the response plus what a test needs next.
sub register {
	my ($t, %o) = @_;
	my $email = delete $o{email} // email();
	my $password = delete $o{password} // $PASSWORD;
	my $r = $t->post('/api/v1/auth/register',
	                 json => {email => $email, password => $password, %o});
	my $j = $r->{json} || {};
	return {%$r, email => lc $email, password => $password,
	        id => $j->{user} && $j->{user}{id},
	        access => $j->{tokens} && $j->{tokens}{access_token},
	        refresh => $j->{tokens} && $j->{tokens}{refresh_token}};
}

sub login {
	my ($t, $email, $password, %o) = @_;
	my $r = $t->post('/api/v1/auth/login',
	                 json => {email => $email, password => $password // $PASSWORD, %o});
	my $j = $r->{json} || {};
	return {%$r, access => $j->{tokens} && $j->{tokens}{access_token},
	        refresh => $j->{tokens} && $j->{tokens}{refresh_token}};
}

# Sets a user's tier (as billing would) straight in the database.
sub set_tier {
	my ($t, $id, $tier) = @_;
	$t->sql("UPDATE users SET subscription_tier = :'p1' WHERE id = :'p2'", $tier, $id);
}

# A JWT from header and claims hashes, signed with secret (HS256 or HS512
# per the header's alg; "none" gets an empty signature).
sub jwt {
	my ($header, $claims, $secret) = @_;
	my $input = encode_base64url($JSON->encode($header)) . '.'
	          . encode_base64url($JSON->encode($claims));
	my $alg = $header->{alg} // '';
	my $sig = $alg eq 'HS256' ? hmac_sha256($input, $secret)
	        : $alg eq 'HS512' ? hmac_sha512($input, $secret)
	        : '';
	return "$input." . encode_base64url($sig);
}

# (header, claims) of a token, decoded without checking anything.
sub jwt_parts {
	my ($token) = @_;
	my ($h, $c) = split /\./, $token;
	return ($JSON->decode(decode_base64url($h)), $JSON->decode(decode_base64url($c)));
}

# Valid access-token claims for user id/email, with overrides.
sub claims {
	my ($id, $email, %over) = @_;
	my $now = time;
	return {sub => $id, email => $email, tier => 'basic',
	        permissions => ['read:own_keys', 'create:own_keys', 'read:own_analytics'],
	        iat => $now, exp => $now + 900, type => 'access', iss => 'carbot', %over};
}

1;
