# The first hour of an operator: carbotd -t needs no database variables, a
# port clash stops carbotd before any migration, and make install leaves a
# working example config and the widget beside the plugins.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use CarBot::Test;

my $t = CarBot::Test->new(start => 0);
my $tmp = $t->tmpdir;

subtest 'carbotd -t works without the database and Redis variables' => sub {
	local $ENV{CARBOT_T_NO_DB};
	delete $ENV{CARBOT_T_NO_DB};
	my $path = $t->write_conf(test_plugins => ['testkit'],
		conf => {database_url => '${CARBOT_T_NO_DB}', redis => '${CARBOT_T_NO_DB}',
		         read_only_database_url => '${CARBOT_T_NO_DB}'});
	my ($code, $out) = $t->run_carbotd(args => ['-t', '-c', $path]);
	is $code, 0, 'exit 0' or diag $out;
	like $out, qr/is valid; 1 plugin loaded/, 'valid';
	$path = $t->write_conf(test_plugins => ['testkit'], conf => {database_url => '${CARBOT_T_NO_DB}'},
		plugin_conf => {testkit => {greeting => '${CARBOT_T_NO_DB}'}});
	($code, $out) = $t->run_carbotd(args => ['-t', '-c', $path]);
	is $code, 1, 'an unset variable elsewhere still stops it';
	like $out, qr/environment variable CARBOT_T_NO_DB is not set/, 'saying which';
	$path = $t->write_conf(conf => {database_url => '${CARBOT_T_NO_DB}'});
	($code, $out) = $t->run_carbotd(args => ['-c', $path], timeout => 30);
	isnt $code, 0, 'a real start without it still refuses';
};

subtest 'a port clash stops carbotd before any migration' => sub {
	my $busy = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1', LocalPort => 0,
	                                 Proto => 'tcp', ReuseAddr => 1) or die "listen: $!";
	my $port = $busy->sockport;
	my $path = $t->write_conf(plugins => ['auth'], conf => {listen => "127.0.0.1:$port"},
		plugin_conf => {auth => {jwt_secret => 'x' x 32}});
	my ($code, $out) = $t->run_carbotd(args => ['-c', $path], timeout => 30);
	isnt $code, 0, 'carbotd exits non-zero';
	like $out, qr/$port/, 'naming the port' or diag $out;
	is $t->sql("SELECT to_regclass('schema_migrations') IS NULL AND to_regclass('users') IS NULL")->[0][0],
	  't', 'nothing was migrated';
	close $busy;
	$t->write_conf(path => $t->conf_path, plugins => ['auth'], plugin_conf => {auth => {jwt_secret => 'x' x 32}});
	$t->start_carbotd;
	is $t->sql("SELECT to_regclass('users') IS NOT NULL")->[0][0], 't', 'a start on a free port migrates';
	$t->stop_carbotd;
};

subtest 'make install: a working example config and widget.js' => sub {
	my $prefix = "$tmp/prefix";
	my $san = ($ENV{CARBOT_BUILD} // '') =~ /san/ ? 'SAN=1' : '';
	my $out = `make -s -C @{[$t->root]} install PREFIX=$prefix $san 2>&1`;
	is $?, 0, 'make install' or diag $out;
	ok -s "$prefix/lib/carbot/widget/widget.js", 'widget.js beside the plugins (where chat looks)';
	ok -f "$prefix/include/carbot/services/users_api.h", 'service headers under include/carbot/services';
	my $ex = "$prefix/share/carbot/carbot.conf.example";
	like `cat $ex`, qr{^plugin_dir = \Q$prefix\E/lib/carbot/plugins$}m, 'the example names the installed plugins';
	local $ENV{CARBOT_JWT_SECRET} = 'j' x 64;
	local $ENV{CARBOT_KEY_SECRET} = 'k' x 64;
	local $ENV{CARBOT_VISITOR_SALT} = 's' x 64;
	local $ENV{CARBOT_NOTIFY_SECRET} = 'n' x 64;
	local $ENV{CARBOT_GDPR_SECRET} = 'g' x 64;
	delete local $ENV{CARBOT_DATABASE_URL};
	my ($code, $msg) = $t->run_carbotd(args => ['-t', '-c', $ex]);
	is $code, 0, 'carbotd -t accepts it as installed, with only the secrets set' or diag $msg;
	my $plugins = () = `cat $ex` =~ /^\[plugin \w+\]$/mg;
	like $msg, qr/is valid; $plugins plugins loaded/, "all $plugins plugins of the example load";
};

done_testing;
