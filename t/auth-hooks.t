# The auth plugin's events reach other plugins' subscribers, with the user's
# id and email, and only when the action succeeded.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Test;
use CarBot::Auth;

my $t = CarBot::Auth::server(test_plugins => ['testkit'],
	plugin_conf => {testkit => {record_events => 'user.registered,user.login,user.password_changed'}});

sub events {
	return $t->sql("SELECT event, data->>'user_id', data->>'email' FROM testkit_events ORDER BY id");
}

my $u = CarBot::Auth::register($t);
is $u->{status}, 201, 'registered';
is_deeply events(), [['user.registered', $u->{id}, $u->{email}]], 'user.registered with id and email';

CarBot::Auth::register($t, email => $u->{email});
is scalar @{events()}, 1, 'a refused registration (duplicate) emits nothing';

is CarBot::Auth::login($t, $u->{email})->{status}, 200, 'logged in';
is_deeply events()->[-1], ['user.login', $u->{id}, $u->{email}], 'user.login';
CarBot::Auth::login($t, $u->{email}, 'Wrong-Password-9');
is scalar @{events()}, 2, 'a failed login emits nothing';

my $r = $t->post('/api/v1/auth/password', headers => bearer($u->{access}),
	json => {current_password => $PASSWORD, new_password => 'Another-Good-Pass-42'});
is $r->{status}, 200, 'password changed';
is_deeply events()->[-1], ['user.password_changed', $u->{id}, $u->{email}], 'user.password_changed';

done_testing;
