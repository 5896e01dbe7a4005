# A third-party plugin builds out of tree against the installed SDK only
# (make install + pkg-config carbot-sdk), loads into carbotd and serves.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Copy qw(copy);
use CarBot::Test;

my $t = CarBot::Test->new(start => 0);
my $root = $t->root;
my $prefix = $t->tmpdir . '/prefix';
my $san = ($ENV{CARBOT_BUILD} // '') =~ /san/ ? 'SAN=1' : '';

my $out = `make -s -C $root install PREFIX=$prefix $san 2>&1`;
is $?, 0, 'make install PREFIX=... works' or diag $out;
ok -x "$prefix/bin/carbotd", 'carbotd installed';
ok -f "$prefix/include/carbot/sdk.h", 'headers installed';
ok -f "$prefix/lib/pkgconfig/carbot-sdk.pc", 'pkg-config file installed';

my $staged = $t->tmpdir . '/stage';
$out = `make -s -C $root install PREFIX=/opt/carbot DESTDIR=$staged $san 2>&1`;
is $?, 0, 'DESTDIR is honoured' or diag $out;
ok -f "$staged/opt/carbot/include/carbot/api.h", 'staged under DESTDIR';

my $src = $t->tmpdir . '/hello';
mkdir $src or die;
copy("$root/sdk/examples/hello/$_", "$src/$_") or die for qw(Makefile hello.c);
$out = `PKG_CONFIG_PATH=$prefix/lib/pkgconfig make -s -C $src 2>&1`;
is $?, 0, 'hello builds out of tree with only the installed SDK' or diag $out;
ok -f "$src/hello.so", 'hello.so built';
my $cflags = `PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags carbot-sdk`;
like $cflags, qr/\Q-I$prefix\/include\E/, 'pkg-config points at the installed headers';
my ($maj, $min) = (`cat $root/sdk/carbot/version.h` =~ /CB_SDK_MAJOR (\d+).*CB_SDK_MINOR (\d+)/s);
is `PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --modversion carbot-sdk`, "$maj.$min\n",
	'carbot-sdk.pc carries the SDK version';

$t->write_conf(path => $t->conf_path, extra_conf => "[plugin hello]\nfile = $src/hello.so\ngreeting = Moin\n");
$t->start_carbotd;
my $r = $t->get('/api/v1/hello/Ada');
is $r->{status}, 200, 'its route answers';
is $r->{json}{message}, 'Moin, Ada!', 'with its setting';
is $r->{json}{count}, 1, 'and its table';
is $t->get('/api/v1/hello/Ada')->{json}{count}, 2, 'which keeps state';
is_deeply $t->sql("SELECT version FROM schema_migrations WHERE plugin = 'hello'"), [['001_greetings']],
	'its migration was applied and recorded';
is $t->stop_carbotd, 0, 'stops cleanly';

done_testing;
