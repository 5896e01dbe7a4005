#!/usr/bin/perl
# The renderer against handlebars.js 4.7.8, case by case: every case of the
# mustache spec files (comments, interpolation, inverted, partials, sections)
# in ../shared/conformance/mustache-spec, plus our own Handlebars cases
# (t/conformance/handlebars-cases.json: ~, else if, each data, block params,
# ../, partial hashes and indentation, escapes, errors), rendered by node with
# the pinned handlebars package and by carbotd through the templates.v1
# service (test plugin hbsprobe). Outputs must be equal; where handlebars.js
# throws, the renderer must report an error too.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use CarBot::Test;
use JSON::PP;
use File::Temp ();

my $root = $CarBot::Test::ROOT;
my $spec_dir = "$root/../shared/conformance/mustache-spec";
my $conf = "$root/t/conformance";
my $json = JSON::PP->new->utf8->canonical;

ok(system("$conf/setup.sh") == 0, 'node and the pinned npm packages are installed')
  or BAIL_OUT('node/npm missing: the conformance run cannot be made');
my $version = `node -e 'process.stdout.write(require("$conf/node_modules/handlebars/package.json").version)'`;
is $version, '4.7.8', 'the reference is handlebars.js 4.7.8';

# ---- the cases

my @cases;
for my $file (qw(comments interpolation inverted partials sections)) {
	my $path = "$spec_dir/$file.json";
	ok -f $path, "$file.json is in ../shared/conformance/mustache-spec" or next;
	open my $fh, '<:raw', $path or die "$path: $!";
	my $spec = $json->decode(do { local $/; <$fh> });
	push @cases, map { {%$_, file => $file} } @{$spec->{tests}};
}
{
	open my $fh, '<:raw', "$conf/handlebars-cases.json" or die "handlebars-cases.json: $!";
	push @cases, map { {%$_, file => 'handlebars'} } @{$json->decode(do { local $/; <$fh> })};
}

# Random but reproducible templates built from the pieces above (nested
# blocks with else / else if, ~, standalone lines, partials, block params),
# over data with every JSON type: agreement here is agreement in general.
srand(20251126);
my @paths = qw(a b z o.x o l l.length this . ../a ../../b @index @key @first @last @root.a
               @../index x.y.z [a] v k o.y s n f);
my @ws = ('', ' ', '  ', "\n", "\n  ", "  \n", "\r\n", "\t");
my @words = ('x', '<b>', '&amp;', '=', '`', "'", '"', "\x{e4}", '\\', '{', '}');
sub pick { $_[int rand @_] }
sub tilde { rand() < 0.15 ? '~' : '' }
sub gen_mustache {
	my $p = pick(@paths);
	my $k = rand;
	return '{{' . tilde() . $p . tilde() . '}}' if $k < 0.6;
	return '{{' . tilde() . "{$p}" . tilde() . '}}' if $k < 0.8;
	return '{{' . tilde() . "& $p" . tilde() . '}}';
}
sub gen_block {
	my ($d) = @_;
	my $kind = pick(qw(if unless each with sec inv eachbp));
	my $p = pick(@paths);
	my ($open, $close) =
	    $kind eq 'sec'    ? ('{{' . tilde() . "#$p" . tilde() . '}}', '{{' . tilde() . "/$p" . tilde() . '}}')
	  : $kind eq 'inv'    ? ('{{' . tilde() . "^$p" . tilde() . '}}', '{{' . tilde() . "/$p" . tilde() . '}}')
	  : $kind eq 'eachbp' ? ('{{' . tilde() . "#each $p as |v k|" . tilde() . '}}', '{{' . tilde() . '/each' . tilde() . '}}')
	  :                     ('{{' . tilde() . "#$kind $p" . tilde() . '}}', '{{' . tilde() . "/$kind" . tilde() . '}}');
	my $body = gen_program($d + 1);
	my $r = rand;
	if ($r < 0.3 && $kind ne 'inv') {
		$body .= pick(@ws) . '{{' . tilde() . 'else' . tilde() . '}}' . pick(@ws) . gen_program($d + 1);
	} elsif ($r < 0.45 && $kind ne 'inv' && $kind ne 'sec') {
		$body .= pick(@ws) . '{{else if ' . pick(@paths) . '}}' . pick(@ws) . gen_program($d + 1)
		       . (rand() < 0.5 ? '{{else}}' . gen_program($d + 1) : '');
	} elsif ($r < 0.5 && $kind eq 'inv') {
		$body .= '{{^}}' . gen_program($d + 1);
	}
	return pick(@ws) . $open . pick(@ws) . $body . pick(@ws) . $close . pick(@ws);
}
sub gen_program {
	my ($d) = @_;
	my $out = '';
	for (1 .. int rand 5) {
		my $r = rand;
		$out .= $r < 0.3  ? pick(@ws) . pick(@words) . pick(@ws)
		      : $r < 0.55 ? gen_mustache()
		      : $r < 0.6  ? pick('{{! c }}', '{{!-- c }} --}}', "\n{{! s }}\n", "  {{!-- x --}}\n")
		      : $r < 0.68 ? pick('{{> p}}', "\n  {{> p}}\n", '{{> q o}}', '{{> q x="1"}}', "  {{> q}}\n")
		      : $d < 4    ? gen_block($d)
		      :             '';
	}
	return $out;
}
my $gen_data = {a => 'A<&>', b => 0, z => '', s => 'str', n => undef, f => JSON::PP::false,
                l => [1, 'two', {x => 3, a => 'la'}, [], undef],
                o => {x => 'X', y => [], a => {b => 1}, 2 => 'two', 1 => JSON::PP::true},
                x => {y => {z => 'xyz'}}};
my $gen_partials = {p => "P{{a}}\n  {{#if b}}B{{else}}{{../a}}{{/if}}\n",
                    q => "[{{x}}|{{a}}|{{#each this}}{{\@key}}{{/each}}]\n"};
push @cases, map { {file => 'generated', name => "case $_", template => gen_program(0),
                    data => $gen_data, partials => $gen_partials} } 1 .. 500;

my $spec_n = grep { $_->{file} ne 'handlebars' && $_->{file} ne 'generated' } @cases;
cmp_ok $spec_n, '>=', 100, "the spec files hold $spec_n cases";

my @input = map { {template => $_->{template}, data => $_->{data}, partials => $_->{partials} // {}} }
            @cases;

# ---- handlebars.js

my $in = File::Temp->new;
binmode $in;
print {$in} $json->encode(\@input);
close $in;
my $ref_text = `node $conf/hbs-render.js < $in`;
is $?, 0, 'node rendered every case';
my $ref = eval { $json->decode($ref_text) } || [];
is scalar @$ref, scalar @cases, 'handlebars.js answered for every case';

# ---- carbotd

my $t = CarBot::Test->new(plugins => ['templates'], test_plugins => ['hbsprobe']);
my $r = $t->post('/test/hbs/batch', json => {cases => \@input});
is $r->{status}, 200, 'the probe rendered the batch';
my $mine = $r->{json}{results} || [];

my %agree;
for my $i (0 .. $#cases) {
	my ($c, $want, $got) = ($cases[$i], $ref->[$i] || {}, $mine->[$i] || {});
	my $name = "$c->{file}: $c->{name}";
	my $ok;
	if (exists $want->{error}) {
		$ok = ok(exists $got->{error}, "$name — an error, as handlebars.js ($want->{error})")
		  or diag "rendered: " . ($got->{output} // '');
	} else {
		$ok = is($got->{output}, $want->{output}, $name)
		  or diag "template: $c->{template}\n" . ($got->{error} ? "error: $got->{error}" : '');
	}
	next unless $ok;
	$agree{$c->{file} eq 'handlebars' || $c->{file} eq 'generated' ? $c->{file} : 'spec'}++;
}
my %total;
$total{$_->{file} eq 'handlebars' || $_->{file} eq 'generated' ? $_->{file} : 'spec'}++ for @cases;
diag sprintf "conformance with handlebars.js 4.7.8: mustache spec %d/%d, Handlebars cases %d/%d, "
          . "generated %d/%d", map { ($agree{$_} // 0, $total{$_}) } qw(spec handlebars generated);

done_testing;
