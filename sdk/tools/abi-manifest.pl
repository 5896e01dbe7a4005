#!/usr/bin/perl
# abi-manifest.pl — the SDK's ABI as text: one line per slot of struct cb_api,
#
#   SLOT<TAB>SINCE<TAB>NAME<TAB>SIGNATURE
#
# generated from the headers under DIR (DIR/carbot/api.h's CB_API_FUNCS list,
# the prototypes from the preprocessed DIR/carbot/sdk.h). sdk/abi.manifest is
# this output, committed; t/sdk-abi.t fails when they differ or when a slot of
# an older SDK (t/fixtures/sdk-1.0) moved or changed.
#
#   sdk/tools/abi-manifest.pl [DIR]      (default: sdk)
#   sdk/tools/abi-manifest.pl --check MANIFEST OLD_DIR...
#       exits 1 (saying which slot) unless the manifest of sdk/ equals
#       MANIFEST and each OLD_DIR's slots are a prefix of it (same slot, name
#       and signature).
use strict;
use warnings;

if (@ARGV && $ARGV[0] eq '--check') {
	shift;
	my $committed = shift;
	my @now = split /\n/, manifest($ENV{CB_SDK_DIR} // 'sdk');
	open my $m, '<', $committed or die "abi-manifest: $committed: $!\n";
	my @want = map { chomp; $_ } <$m>;
	for my $i (0 .. ($#now > $#want ? $#now : $#want)) {
		next if ($now[$i] // '') eq ($want[$i] // '');
		die "abi-manifest: slot $i differs from $committed:\n  committed: "
		  . ($want[$i] // '(none)') . "\n  headers:   " . ($now[$i] // '(none)')
		  . "\nthe table is append-only: regenerate the manifest only for slots added at its end\n";
	}
	for my $old (@ARGV) {
		my @o = split /\n/, manifest($old);
		for my $i (0 .. $#o) {
			my $a = join "\t", (split /\t/, $o[$i])[0, 2, 3];
			my $b = join "\t", (split /\t/, $now[$i] // '')[0, 2, 3];
			die "abi-manifest: slot $i of $old moved or changed:\n  was: $a\n  now: $b\n"
			  if $a ne $b;
		}
	}
	exit 0;
}
print manifest(shift // 'sdk');
exit 0;

sub manifest {
	my $dir = shift;
	my $cc = $ENV{CC} || 'cc';

	open my $fh, '<', "$dir/carbot/api.h" or die "abi-manifest: $dir/carbot/api.h: $!\n";
	my $api = do { local $/; <$fh> };
	close $fh;
	my ($list) = $api =~ /#define CB_API_FUNCS\(X\)(.*?)\n\s*\n/s
		or die "abi-manifest: no CB_API_FUNCS list in $dir/carbot/api.h\n";
	my @funcs;
	while ($list =~ /X\(\s*(cb_\w+)\s*(?:,\s*(\d+)\s*)?\)/g) {
		push @funcs, [$1, $2 // 0];
	}

	my $pp = `$cc -E -P -DCB_CORE_BUILD -I$dir $dir/carbot/sdk.h`;
	die "abi-manifest: the preprocessor failed\n" if $?;
	$pp =~ s/__attribute__\s*(\((?:[^()]++|(?1))*\))//g;  # attributes are no ABI
	$pp =~ s/\{(?:[^{}]++|(?R))*\}/;/g;                    # bodies of inline functions
	1 while $pp =~ s/(\{(?:[^{}]++|(?1))*\})/;/g;
	$pp =~ s/\s+/ /g;

	my %proto;
	for my $stmt (split /;/, $pp) {
		$stmt =~ s/^\s+|\s+$//g;
		next if $stmt =~ /^(typedef|struct|enum|static)\b/;
		next unless $stmt =~ /\b(cb_\w+)\s*\(/;
		my $name = $1;
		$stmt =~ s/\s*([(),*])\s*/$1/g;
		$stmt =~ s/,/, /g;
		$stmt =~ s/(\w)\*/$1 */g;
		$stmt =~ s/\)\(/) (/g;
		$proto{$name} //= $stmt;
	}

	my ($slot, $out) = (0, '');
	for my $f (@funcs) {
		my ($name, $since) = @$f;
		my $p = $proto{$name} // die "abi-manifest: no prototype for $name\n";
		$out .= sprintf "%d\t1.%d\t%s\t%s\n", $slot++, $since, $name, $p;
	}
	return $out;
}
