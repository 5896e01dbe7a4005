# sdk/examples/reviews builds out of tree against the installed SDK only and
# passes its own tests (sdk/examples/reviews/t/reviews.t); it stays under 150
# lines with no hand-written parsing or SQL date formatting.
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
my $ex = "$root/sdk/examples/reviews";

my @lines = split /\n/, `cat $ex/reviews.c`;
cmp_ok scalar @lines, '<', 150, 'reviews.c is under 150 lines';
my $src = join "\n", @lines;
unlike $src, qr/to_char|YYYY|strtol|atoi|sscanf|cb_req_query\(/, 'no hand-written parsing or date formatting';

my $out = `make -s -C $root install PREFIX=$prefix $san 2>&1`;
is $?, 0, 'make install' or diag $out;
my $dir = $t->tmpdir . '/reviews';
mkdir $dir or die;
copy("$ex/$_", "$dir/$_") or die for qw(Makefile reviews.c);
my $cf = $san ? 'CFLAGS="-O1 -g -fsanitize=address,undefined"' : '';
$out = `PKG_CONFIG_PATH=$prefix/lib/pkgconfig make -s -C $dir $cf 2>&1`;
is $?, 0, 'reviews builds out of tree from the installed headers' or diag $out;
ok -f "$dir/reviews.so", 'reviews.so';

$out = `REVIEWS_SO=$dir/reviews.so CARBOT_BUILD=$ENV{CARBOT_BUILD} prove -I$root/t/lib $ex/t/reviews.t 2>&1`;
is $?, 0, 'its own tests pass' or diag $out;
like $out, qr/^Result: PASS/m, 'prove says PASS';

done_testing;
