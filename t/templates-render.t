#!/usr/bin/perl
# The renderer's own promises, through templates.v1's render_source (test
# plugin hbsprobe): escaping, whitespace control, syntax errors with line and
# column, what it refuses, and the limits that keep any template and data
# from looping, blowing the stack or the memory.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use CarBot::Test;
use Time::HiRes qw(time);

my $t = CarBot::Test->new(plugins => ['templates'], test_plugins => ['hbsprobe']);

sub render {
	my ($template, $data, $partials) = @_;
	my $r = $t->post('/test/hbs/render',
	                 json => {template => $template, data => $data // {}, partials => $partials // {}});
	die "probe answered $r->{status}: $r->{content}" unless $r->{status} == 200;
	return $r->{json};
}

sub renders {
	my ($template, $data, $want, $name, $partials) = @_;
	my $r = render($template, $data, $partials);
	is $r->{output}, $want, $name or diag "error: " . ($r->{error} // '');
}

sub fails {
	my ($template, $data, $re, $name, $partials) = @_;
	my $r = render($template, $data, $partials);
	like $r->{error} // '', $re, $name or diag "output: " . ($r->{output} // '');
}

# ---- escaping, exactly as handlebars 4.7

renders '{{v}}', {v => q{&<>"'`=}}, '&amp;&lt;&gt;&quot;&#x27;&#x60;&#x3D;',
        'the seven characters handlebars escapes, as its entities';
renders '{{{v}}}|{{& v}}', {v => '<b>'}, '<b>|<b>', 'triple-stash and {{& }} are raw';
renders '{{v}}', {v => "caf\x{e9} \x{1F697} \x{2028}"}, "caf\x{e9} \x{1F697} \x{2028}",
        'non-ASCII text passes through';
renders '{{n}} {{f}} {{b}} {{z}}', {n => 1.5, f => JSON::PP::false, b => JSON::PP::true, z => 0},
        '1.5 false true 0', 'numbers and booleans print as JavaScript prints them';
renders '[{{nope}}][{{a.b.c}}][{{nul}}]', {a => {}, nul => undef}, '[][][]',
        'missing values and null print nothing';
renders '<a title="{{t}}">', {t => q{" onmouseover="alert(1)}},
        '<a title="&quot; onmouseover&#x3D;&quot;alert(1)">', 'attribute breakout stays text';

# ---- whitespace control and standalone lines

renders "a {{~v~}} b", {v => 'X'}, 'aXb', '~ strips whitespace on both sides';
renders "<ul>\n  {{#each l}}\n  <li>{{this}}</li>\n  {{/each}}\n</ul>\n", {l => [1, 2]},
        "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n", 'standalone block tags leave no blank lines';
renders "{{#if x}}\n  yes\n{{~else~}}\n  no\n{{/if}}", {}, "no\n", '{{~else~}}';
renders "x\n  {{> p}}\ny", {}, "x\n  a\n  b\ny", 'a standalone partial is indented line by line',
        {p => "a\nb\n"};

# ---- syntax errors name line and column

fails "<p>\n  {{#if a}}\n  {{/each}}", {}, qr/^line 2, column 6: if doesn't match each$/,
      'a mismatched close tag';
fails "<p>\n\n {{#each list}}\n", {}, qr/^line 3, column 2: \{\{#each\}\} is not closed$/,
      'an unclosed block points at its opening tag';
fails "ok {{name", {}, qr/^line 1, column \d+: /, 'an unclosed mustache';
fails "a\nb {{!-- never closed", {}, qr/^line 2, column 3: comment not closed/, 'an unclosed comment';
fails "{{else}}", {}, qr/^line 1, column 1: \{\{else\}\} outside a block/, 'a stray else';
fails "\n\n   {{/if}}", {}, qr/^line 3, column 4: closing tag without/, 'a stray close tag';
fails "{{a.this.b}}", {}, qr/^line 1, column 3: Invalid path: a\.this/, 'an invalid path';
fails "x\n{{> p}}", {}, qr/^line 2, column 1: partial p: line 1, column 5: /,
      'an error inside a partial names the partial and both positions', {p => "abc {{/x}}"};

# ---- what the engine refuses (README.md, "Deliberate differences")

fails '{{foo bar}}', {}, qr/Missing helper: "foo"/, 'unknown helpers, at compile time';
fails '{{#if a}}x{{/if}}{{log a}}', {}, qr/the log helper is not supported/, 'the log helper';
fails '{{if a}}', {}, qr/if must be a block/, 'if as a plain mustache';
fails '{{#each}}x{{/each}}', {}, qr/Must pass iterator to #each/, '#each without a list';
fails '{{#with a b}}x{{/with}}', {}, qr/#with requires exactly one argument/, '#with with two';
fails '{{x (sub y)}}', {}, qr/sub-expressions/, 'sub-expressions';
fails '{{#> layout}}x{{/layout}}', {}, qr/partial blocks/, 'partial blocks';
fails '{{{{raw}}}}x{{{{/raw}}}}', {}, qr/raw blocks/, 'raw blocks';
fails '{{#*inline "p"}}x{{/inline}}', {}, qr/decorators/, 'inline partials (decorators)';
fails '{{> missing}}', {}, qr/^line 1, column 1: The partial missing could not be found$/,
      'a missing partial';

# ---- limits

my $nest = sub { my $n = shift; ('{{#if t}}' x $n) . 'deep' . ('{{/if}}' x $n) };
renders $nest->(64), {t => 1}, 'deep', '64 nested blocks compile';
fails $nest->(65), {t => 1}, qr/^line 1, column \d+: blocks nested deeper than 64$/,
      'the 65th nested block is refused';

fails '{{> r}}', {}, qr/partials nested deeper than 32/, 'endless partial recursion stops',
      {r => 'x{{> r}}'};
my $deep = {};
$deep = {n => $deep} for 1 .. 40;
fails '{{> node}}', $deep, qr/partials nested deeper than 32/,
      'recursion through data stops at the partial depth', {node => '{{#with n}}{{> node}}{{/with}}'};
fails '{{> p}}', {t => 1}, qr/nested deeper than 160/,
      'blocks inside recursive partials stop at the total depth',
      {p => ('{{#if t}}' x 20) . '{{> p}}' . ('{{/if}}' x 20)};

my $list = [(1) x 200];
my $start = time;
fails '{{#each l}}{{#each @root.l}}{{#each @root.l}}{{@root.s}}{{/each}}{{/each}}{{/each}}',
      {l => $list, s => 'x' x 1000}, qr/output larger than 4194304 bytes/, 'output is capped';
fails '{{#each l}}{{#each @root.l}}{{#each @root.l}}{{/each}}{{/each}}{{/each}}', {l => $list},
      qr/template needs more than 4000000 steps/, 'work is capped, even without output';
cmp_ok time - $start, '<', 20, 'both gave up quickly';

my $bomb = {};
$bomb = [$bomb] for 1 .. 60;
renders '{{a}}', {a => $bomb}, '[object Object]', 'printing deeply nested arrays is bounded';

# ---- the probe's service is the one landing uses

my $r = $t->post('/test/hbs/render', json => {template => 'plain {{x}}', data => undef});
is $r->{json}{output}, 'plain ', 'render_source accepts null data and no partials';

done_testing;
