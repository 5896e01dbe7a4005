# The dashboard's own checks, run by prove: TypeScript strict, ESLint, and
# the Vitest unit tests (forms and schemas, the hours editor, token refresh,
# CSV, knowledge mapping, overview figures, both languages), each Vitest
# result re-emitted as a test here.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/browser";
use Test::More;
use CarBot::Browser;

my $dir = "$CarBot::Browser::ROOT/admin-ui";
my $which = sub { grep { -x "$_/$_[0]" } split /:/, $ENV{PATH} };
unless ($which->('node') && $which->('npm')) { fail('node and npm are installed (scripts/deps.sh)'); done_testing; exit 1 }
eval { CarBot::Browser::npm_ci($dir); 1 } or do { diag $@; fail("npm ci in $dir"); done_testing; exit 1 };

sub run { my ($cmd) = @_; my $out = qx{cd '$dir' && $cmd 2>&1}; return ($? >> 8, $out) }

my ($rc, $out) = run('npx tsc --noEmit -p .');
is $rc, 0, 'TypeScript (strict) finds no error' or diag $out;
($rc, $out) = run('npx eslint --max-warnings 0 .');
is $rc, 0, 'ESLint is clean' or diag $out;

($rc, $out) = run('npx vitest run --reporter=tap-flat');
my $n = 0;
for (split /\n/, $out) {
	next unless /^(not )?ok \d+ - (.*)$/;
	$n++;
	ok !$1, "vitest: $2";
}
cmp_ok $n, '>=', 30, "vitest ran its tests ($n)";
is $rc, 0, 'vitest exits 0' or diag $out;

done_testing;
