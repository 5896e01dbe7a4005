#!/usr/bin/perl
# The seed migration is generated from plugins/templates/templates/ by
# gen-seed.pl: the committed SQL must be exactly the script's output, and the
# sources must be complete (metadata, sample, both locales with the same
# strings, every t.* a template uses defined, no external URLs).
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use File::Basename qw(basename dirname);
use CarBot::Test ();

my $root = $CarBot::Test::ROOT;
my $plugin = "$root/plugins/templates";
my $dir = "$plugin/templates";

sub slurp {
	open my $fh, '<:raw', $_[0] or die "$_[0]: $!";
	local $/;
	return scalar <$fh>;
}

my $generated = `$^X $plugin/gen-seed.pl`;
is $?, 0, 'gen-seed.pl runs';
ok $generated eq slurp("$plugin/sql/002_seed_templates.sql"),
   'sql/002_seed_templates.sql is what gen-seed.pl writes (run: perl plugins/templates/gen-seed.pl '
   . '> plugins/templates/sql/002_seed_templates.sql)';

my $json = JSON::PP->new->utf8;
my $shared = $json->decode(slurp("$dir/_shared/strings.json"));

sub keys_deep {
	my ($h, $prefix) = @_;
	return sort map { ref $h->{$_} eq 'HASH' ? keys_deep($h->{$_}, "$prefix$_.") : "$prefix$_" } keys %$h;
}
is_deeply [keys_deep($shared->{en}, '')], [keys_deep($shared->{de}, '')],
          'German and English UI strings have the same keys';
is_deeply [sort keys %{$shared->{de}{days}}], [sort qw(mon tue wed thu fri sat sun)], 'every weekday has a name';

my @names = sort map { basename(dirname($_)) } glob("$dir/*/template.json");
is_deeply \@names, [sort qw(classic-workshop dealer-showroom modern-minimalist tire-and-service)],
          'the four catalogue templates';
my $shared_hbs = join '', map { slurp($_) } glob("$dir/_shared/*.hbs");
for my $name (@names) {
	my $meta = $json->decode(slurp("$dir/$name/template.json"));
	is $meta->{id}, $name, "$name: id is its folder";
	ok length $meta->{$_}, "$name: has $_" for qw(name description category);
	ok @{$meta->{features} || []} >= 3, "$name: lists its features";
	like $meta->{theme}{$_}, qr/^#[0-9a-f]{6}$/, "$name: default $_" for
	  qw(primary_color secondary_color background_color surface_color text_color muted_color);
	my $sample = $json->decode(slurp("$dir/$name/sample.json"));
	ok length $sample->{business_name}, "$name: its sample has a business_name";

	my $strings = $shared;
	my $source = slurp("$dir/$name/main.hbs") . $shared_hbs
	           . join '', map { slurp($_) } glob("$dir/$name/partials/*.hbs");
	my %used = map { $_ => 1 } $source =~ /\bt\.(\w+)/g;
	for my $key (sort keys %used) {
		ok exists $strings->{de}{$key} && exists $strings->{en}{$key}, "$name: t.$key is defined";
	}
	unlike $source, qr{(?:src|href)="https?://|\@import|url\(}, "$name: no external URLs in its sources";
}

done_testing;
