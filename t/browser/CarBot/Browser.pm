package CarBot::Browser;
# Real-browser tests from Perl: the .t file starts the servers (CarBot::Test,
# CarBot::Stub), then runs a Node script under t/browser/ that drives
# Debian's Chromium with playwright-core and prints TAP; each of its results
# is re-emitted here through Test::More, so prove counts them like any other.
#
#   use lib "$FindBin::Bin/lib", "$FindBin::Bin/browser";
#   use CarBot::Browser;
#   my $js = CarBot::Browser::prepare(); # chromium + node present, npm ci done
#   my $html = CarBot::Browser::page(src => $url, key => $key, lang => 'de');
#   CarBot::Browser::run_tap('widget.mjs', env => {SUITE => 'e2e', PAGE_BASE => ...});
use strict;
use warnings;
use Test::More ();
use File::Basename qw(dirname);
use File::Spec;
use Cwd qw(abs_path);
use Fcntl qw(:flock);
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

our $DIR = abs_path(dirname(__FILE__) . '/..');
our $ROOT = abs_path("$DIR/../..");
our $CHROMIUM = $ENV{CHROMIUM} || '/usr/bin/chromium';

sub _which {
	my ($cmd) = @_;
	for my $d (File::Spec->path) { return "$d/$cmd" if -x "$d/$cmd" }
	return undef;
}

sub build_dir {
	my $b = $ENV{CARBOT_BUILD} || 'build';
	return $b =~ m{^/} ? $b : "$ROOT/$b";
}

# Ends this test file (not the whole prove run) with one failing test.
sub _missing {
	my ($what) = @_;
	Test::More::ok(0, $what);
	Test::More::done_testing();
	exit 1;
}

# The widget bundle `make widget` wrote.
sub widget_js {
	my $f = build_dir() . '/widget/widget.js';
	_missing("$f is built (run make widget)") unless -s $f;
	return $f;
}

# npm ci in dir when node_modules is missing or older than package.json or
# the lock file. Serialised by a lock on package-lock.json (prove -j runs
# tests at once; the Makefile's widget rule locks the same way).
sub npm_ci {
	my ($dir) = @_;
	my $lock = "$dir/package-lock.json";
	open my $fh, '<', $lock or die "$lock: $!";
	flock $fh, LOCK_EX or die "flock $lock: $!";
	my $stamp = "$dir/node_modules/.package-lock.json";
	return 1 if -e $stamp && !grep { (stat $stamp)[9] < (stat $_)[9] } $lock, "$dir/package.json";
	local $ENV{PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD} = 1; # the browser is Debian's
	my $out = qx{cd '$dir' && npm ci --no-audit --no-fund 2>&1};
	die "npm ci in $dir failed:\n$out" if $?;
	utime undef, undef, $stamp;
	return 1;
}

# Everything a browser test needs, or a failure saying how to get it.
# Returns the path of the built widget.js.
sub prepare {
	_missing("$CHROMIUM is installed (scripts/deps.sh --browser)") unless -x $CHROMIUM;
	_missing('node and npm are installed (scripts/deps.sh --browser)')
	  unless _which('node') && _which('npm');
	eval { npm_ci($DIR); 1 } or do { Test::More::diag($@); _missing("npm ci in $DIR") };
	return widget_js();
}

sub _esc {
	my ($s) = @_;
	$s =~ s/&/&amp;/g;
	$s =~ s/</&lt;/g;
	$s =~ s/>/&gt;/g;
	$s =~ s/"/&quot;/g;
	return $s;
}

# A host page (UTF-8 bytes) embedding the widget:
#   src => script URL, key => client key, lang => 'de', title => ...,
#   data => {locale => 'en', position => ...} (data-* on the script tag),
#   css => "page CSS", body => "extra HTML before the script"
sub page {
	my (%o) = @_;
	my $lang = $o{lang} // 'de';
	my $attrs = join '', map { sprintf ' data-%s="%s"', $_, _esc($o{data}{$_}) }
	                     sort keys %{$o{data} || {}};
	my $css = $o{css} ? "<style>$o{css}</style>" : '';
	my $html = <<"HTML";
<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@{[_esc($o{title} // 'Autohaus Beispiel')]}</title>
$css
</head>
<body>
<main>
<h1>Autohaus Beispiel</h1>
<p>Ihre Werkstatt in der Nachbarschaft. <a href="#kontakt">Kontakt</a></p>
<p><button type="button" data-carbot-open>Termin anfragen</button></p>
@{[$o{body} // '']}
</main>
<script src="@{[_esc($o{src})]}" data-client-key="@{[_esc($o{key})]}"$attrs async></script>
</body>
</html>
HTML
	utf8::encode($html) if utf8::is_utf8($html);
	return $html;
}

# Runs `node t/browser/SCRIPT` with env added, re-emitting its TAP. Comment
# lines after a failure are diagnostics, the others notes. Ends with one
# test of its own: the script exited 0 after printing its whole plan.
sub run_tap {
	my ($script, %o) = @_;
	my $timeout = $o{timeout} // 600;
	my $pid = open(my $out, '-|') // die "fork: $!";
	if (!$pid) {
		setpgrp(0, 0);
		open STDERR, '>&', \*STDOUT or die "stderr: $!";
		$ENV{$_} = $o{env}{$_} for keys %{$o{env} || {}};
		chdir $DIR or die "chdir $DIR: $!";
		exec 'node', $script or die "exec node: $!";
	}
	my ($count, $plan, $failing) = (0, undef, 0);
	my $timed_out = 0;
	eval {
		local $SIG{ALRM} = sub { die "timeout\n" };
		alarm $timeout;
		while (my $l = <$out>) {
			chomp $l;
			if ($l =~ /^(not )?ok \d+(?: - (.*))?$/) {
				$count++;
				$failing = !!$1;
				Test::More::ok(!$1, $2 // '');
			} elsif ($l =~ /^1\.\.(\d+)$/) {
				$plan = $1;
			} else {
				$l =~ s/^# ?//;
				$failing ? Test::More::diag($l) : Test::More::note($l);
			}
		}
		alarm 0;
		1;
	} or do {
		$timed_out = 1;
		kill 'TERM', -$pid; # node's group; Playwright closes Chromium on TERM
		my $end = time + 10;
		sleep 0.1 while kill(0, $pid) && waitpid($pid, WNOHANG) == 0 && time < $end;
		kill 'KILL', -$pid;
	};
	close $out;
	my $code = $? >> 8;
	Test::More::ok(!$timed_out && defined $plan && $plan == $count && ($code == 0 || $code == 1),
	               "$script ran to its end")
	  or Test::More::diag($timed_out ? "killed after $timeout s"
	                      : "exit $code, plan " . ($plan // 'none') . ", $count results");
	return $count;
}

1;
