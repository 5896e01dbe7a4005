# However an account is disabled, its client keys stop at once (issue 12):
# a soft deletion or a deletion done by SQL (no event announces it), and a
# tier change, drop the keys' cached records in Redis, which every process's
# in-process hint is checked against.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep time);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;

# cache_ttl stays at its default (300 s): only dropping the cache can end
# these keys within the bounded waits below.
my $t = CarBot::Keys::server(conf => {trusted_proxies => '127.0.0.1'},
                             keys => {ip_rate_limit => 100000, key_rate_limit => 100000});
my $ip = 0;

sub probe {
	my ($k) = @_;
	return CarBot::Keys::probe($t, $k->{key}, "https://$k->{domain}",
	                           headers => {'X-Forwarded-For' => sprintf('198.51.100.%d', ++$ip % 250 + 1)});
}

# Polls until probe answers $status (at most 20 s: the job thread polls every
# 50 ms here); returns the last status.
sub until_status {
	my ($k, $status) = @_;
	my ($until, $st) = (time + 20, 0);
	while (time < $until) {
		$st = probe($k)->{status};
		return $st if $st == $status;
		sleep 0.1;
	}
	return $st;
}

sub warm {
	my ($k) = @_;
	my @st = map { probe($k)->{status} } 1 .. 3; # cached in Redis, and a hint here
	return "@st";
}

subtest 'a soft deletion by SQL stops the key at once' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $k = CarBot::Keys::create($t, $u);
	is warm($k), '200 200 200', 'the key works (and is cached)';
	$t->sql("UPDATE users SET deleted_at = now() WHERE id = :'p1'", $u->{id});
	is until_status($k, 401), 401, 'then 401, long before the cache would expire';
	is probe($k)->{status}, 401, 'and stays refused';
	my $jobs = $t->sql("SELECT status FROM cb_jobs WHERE name = 'keys.forget_user' "
	                   . "AND payload->>'user_id' = :'p1'", $u->{id});
	is_deeply [map { $_->[0] } @$jobs], ['done'], 'through one keys.forget_user job, done';
};

subtest 'a DELETE of the user stops the key too' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = CarBot::Keys::create($t, $u);
	is warm($k), '200 200 200', 'the key works';
	$t->sql("DELETE FROM users WHERE id = :'p1'", $u->{id});
	is $t->sql("SELECT count(*) FROM users WHERE id = :'p1'", $u->{id})->[0][0], 0, 'the row is gone (the trigger let it)';
	is until_status($k, 401), 401, 'then 401';
};

subtest 'a tier change by SQL takes effect at once' => sub {
	my $u = CarBot::Keys::user($t, 'premium');
	my $k = CarBot::Keys::create($t, $u);
	is probe($k)->{json}{'key.tier'}, 'premium', 'premium';
	probe($k);
	$t->sql("UPDATE users SET subscription_tier = 'enterprise' WHERE id = :'p1'", $u->{id});
	my ($until, $tier) = (time + 20, '');
	while (time < $until) {
		$tier = probe($k)->{json}{'key.tier'} // '';
		last if $tier eq 'enterprise';
		sleep 0.1;
	}
	is $tier, 'enterprise', 'the key sees the new tier';
};

subtest 'unrelated changes queue nothing' => sub {
	my $u = CarBot::Keys::user($t);
	my $k = CarBot::Keys::create($t, $u);
	warm($k);
	$t->sql("UPDATE users SET last_login_at = now(), first_name = 'X' WHERE id = :'p1'", $u->{id});
	is $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'keys.forget_user' AND payload->>'user_id' = :'p1'",
	           $u->{id})->[0][0], 0, 'no job for a login or a name';
	is probe($k)->{status}, 200, 'and the key works';
	my $v = CarBot::Keys::user($t);
	$t->sql("UPDATE users SET deleted_at = now() WHERE id = :'p1'", $v->{id});
	is $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'keys.forget_user' AND payload->>'user_id' = :'p1'",
	           $v->{id})->[0][0], 0, 'none for a user without keys';
};

done_testing;
