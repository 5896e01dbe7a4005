# The widget bundle `make widget` writes: small (the budget is the point:
# Chatwoot's widget is ~170 KB), one valid strict-mode script, and built
# from sources that keep the rules that matter (text, never HTML; no cookies).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/browser";
use Test::More;
use IO::Compress::Gzip qw(gzip $GzipError);
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use CarBot::Browser;

my $BUDGET = 12 * 1024;
my $js_file = CarBot::Browser::widget_js();
my $root = $CarBot::Browser::ROOT;

sub slurp { open my $fh, '<:raw', $_[0] or die "$_[0]: $!"; local $/; <$fh> }

my $js = slurp($js_file);
my $gz = slurp("$js_file.gz");
gunzip(\$gz => \my $plain) or die "gunzip: $GunzipError";
ok $plain eq $js, 'widget.js.gz holds widget.js';
cmp_ok length $gz, '<=', $BUDGET, sprintf 'widget.js.gz is %d bytes, within %d', length $gz, $BUDGET;
gzip(\$js => \my $again, -Level => 9) or die "gzip: $GzipError";
cmp_ok length $again, '<=', $BUDGET, 'gzip -9 of widget.js is within the budget too';
note sprintf 'widget.js: %d bytes, %d gzipped', length $js, length $gz;

like $js, qr/\A"use strict";/, 'the whole script is strict';
unlike $js, qr/sourceMappingURL|\bconsole\.log\b|\bdebugger\b/, 'no source map, console.log or debugger';
my $check = qx{node --check '$js_file' 2>&1};
is $?, 0, 'node --check accepts it' or diag $check;

# Source rules, checked where they are written (the bundle renames things).
my $src = join "\n", map { slurp($_) } glob "$root/widget/src/*.js";
my @inner = $src =~ /\binnerHTML\b/g;
is scalar @inner, 1, 'innerHTML is used once (the static shadow-root template)';
like $src, qr/root\.innerHTML = HTML;/, '... and that is the template';
unlike $src, qr/insertAdjacentHTML|outerHTML|document\.write|\beval\(|new Function/,
  'no other way of turning strings into markup or code';
unlike $src, qr/document\.cookie/, 'cookies are never touched';
like slurp("$root/widget/src/ui.js"), qr/attachShadow\(\{ mode: 'open' \}\)/, 'an open shadow root';

done_testing;
