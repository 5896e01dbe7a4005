# What stops carbotd at startup: each refusal is one line naming the file and
# the reason, and a non-zero exit. carbotd -t checks without serving.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use CarBot::Test;

my $t = CarBot::Test->new(start => 0);
my $tp = $t->build . '/t/plugins';

# Runs carbotd -t (check) or a real start on a conf and returns (exit, output).
sub check {
	my (%o) = @_;
	my $path = $t->write_conf(%o);
	return $t->run_carbotd(args => ['-t', '-c', $path]);
}

sub refused {
	my ($name, $out, $code, $re) = @_;
	subtest $name => sub {
		isnt $code, 0, 'exit status is not 0';
		my @lines = grep { length } split /\n/, $out;
		is scalar @lines, 1, 'exactly one line' or diag $out;
		like $lines[0] // '', qr/^carbotd: /, 'starts with carbotd:';
		like $lines[0] // '', $re, 'names the file and the reason';
	};
}

subtest 'carbotd -t accepts a good config and loads its plugins' => sub {
	my ($code, $out) = check(test_plugins => ['testkit']);
	is $code, 0, 'exit 0';
	like $out, qr/is valid; 1 plugin loaded/, 'says so';
};

{
	my $path = $t->tmpdir . '/bad-line.conf';
	open my $fh, '>', $path or die;
	print {$fh} "# fine\ndatabase_url = x\nthis line has no equals sign\n";
	close $fh;
	my ($code, $out) = $t->run_carbotd(args => ['-t', '-c', $path]);
	refused('a line without = names file and line', $out, $code, qr/\Q$path\E:3: /);
}
{
	my ($code, $out) = check(extra_conf => "no_such_setting = 1\n");
	refused('an unknown global setting', $out, $code, qr/carbot\S*\.conf:\d+: .*no_such_setting/);
}
{
	my ($code, $out) = check(conf => {io_threads => 'many'});
	refused('a bad value', $out, $code, qr/\.conf:\d+: io_threads must be an integer/);
}
{
	my ($code, $out) = check(conf => {handler_nice => 20});
	refused('handler_nice out of range', $out, $code, qr/\.conf:\d+: handler_nice must be/);
}
{
	my ($code, $out) = check(extra_conf => "[plugin ghost]\n");
	refused('a plugin file that does not exist', $out, $code,
		qr{plugins/ghost\.so: cannot load plugin 'ghost': No such file});
}
{
	my ($code, $out) = check(test_plugins => ['notplugin']);
	refused('a shared object that is not a plugin', $out, $code,
		qr{notplugin\.so: not a carbotd plugin});
}
{
	my ($code, $out) = check(test_plugins => ['badabi']);
	refused('an SDK major mismatch', $out, $code,
		qr{badabi\.so: built for SDK 2\.0, core has SDK 1\.\d+});
}
{
	my ($code, $out) = check(test_plugins => ['newminor']);
	refused('a plugin needing a newer SDK minor', $out, $code,
		qr{newminor\.so: built for SDK 1\.(\d+), core has SDK 1\.\d+ \(plugin needs a newer core\)});
}
{
	my ($code, $out) = check(test_plugins => ['testkit', 'dupe']);
	refused('a route registered twice names both plugins', $out, $code,
		qr{dupe\.so: .*GET /t/echo/\{other\}.* already registered by plugin 'testkit' \(.*testkit\.so\)});
}
{
	my ($code, $out) = check(test_plugins => ['testkit'], plugin_conf => {testkit => {steal_healthz => 'on'}});
	refused('a plugin cannot take a core route', $out, $code,
		qr{testkit\.so: .*GET /healthz is already registered by plugin 'core'});
}
{
	my ($code, $out) = check(test_plugins => ['needsdep']);
	refused('a missing dependency', $out, $code,
		qr{needsdep\.so: plugin 'needsdep' needs plugin 'nonexistent', which is not enabled});
}
{
	my ($code, $out) = check(test_plugins => ['cyca', 'cycb']);
	refused('a dependency cycle', $out, $code, qr{dependency cycle: cyca -> cycb -> cyca});
}
{
	my ($code, $out) = check(test_plugins => ['testkit'], plugin_conf => {testkit => {fail_init => 'on'}});
	refused('an init failure carries the plugin\'s reason', $out, $code,
		qr{testkit\.so: plugin 'testkit' failed to start: fail_init is on});
}
{
	my ($code, $out) = check(test_plugins => ['testkit'], plugin_conf => {testkit => {colour => 'blue'}});
	refused('an unknown plugin setting', $out, $code,
		qr{\.conf:\d+: plugin 'testkit' has no setting 'colour'});
}
{
	my ($code, $out) = check(test_plugins => ['testkit'], plugin_conf => {testkit => {limit => 'lots'}});
	refused('a bad plugin setting value', $out, $code,
		qr{\.conf:\d+: testkit\.limit must be an integer from 1 to 1000000, got 'lots'});
}
{
	my ($code, $out) = check(test_plugins => ['testkit'], plugin_conf => {testkit => {bearer_route => 'on'}});
	refused('a route needing an auth policy nobody provides', $out, $code,
		qr{testkit\.so: route GET /t/private needs bearer-token authentication, but no enabled plugin provides it});
}
{
	local $ENV{CARBOT_TEST_UNSET_VAR};
	delete $ENV{CARBOT_TEST_UNSET_VAR};
	my ($code, $out) = check(extra_conf => "[plugin testkit]\ngreeting = \${CARBOT_TEST_UNSET_VAR}\n");
	refused('an unset environment variable', $out, $code, qr{\.conf:\d+: .*CARBOT_TEST_UNSET_VAR});
}

subtest 'secrets come from the environment' => sub {
	local $ENV{CARBOT_TEST_GREETING} = 'Servus';
	$t->write_conf(path => $t->conf_path, test_plugins => ['testkit'],
		extra_conf => "greeting = \${CARBOT_TEST_GREETING}\n");
	$t->start_carbotd;
	is $t->get('/t/setting')->{json}{greeting}, 'Servus', 'expanded from the environment';
	is $t->stop_carbotd, 0, 'SIGTERM exits 0';
};

subtest 'a changed migration stops startup' => sub {
	$t->sql("UPDATE schema_migrations SET checksum = 'tampered' WHERE plugin = 'testkit'");
	my $path = $t->write_conf(test_plugins => ['testkit']);
	my ($code, $out) = $t->run_carbotd(args => ['-c', $path]);
	isnt $code, 0, 'refused';
	like $out, qr/^carbotd: .*testkit\.so: migration 001_items of plugin 'testkit' changed after it was applied/m,
		'names plugin, migration and reason';
};

subtest 'migrations are recorded once per plugin and version' => sub {
	my $rows = $t->sql("SELECT plugin, version FROM schema_migrations ORDER BY 1, 2");
	is_deeply $rows, [['core', '001_jobs'], ['testkit', '001_items'], ['testkit', '002_events']],
		'core and plugin migrations, in version order';
};

subtest 'a port in use is refused instead of shared' => sub {
	my $sock = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0, ReuseAddr => 1)
		or die "listen: $!";
	my $path = $t->write_conf(conf => {listen => '127.0.0.1:' . $sock->sockport});
	my ($code, $out) = $t->run_carbotd(args => ['-c', $path]);
	isnt $code, 0, 'refused';
	like $out, qr/^carbotd: listen 127\.0\.0\.1:\d+: Address already in use$/m, 'says why';
};

done_testing;
