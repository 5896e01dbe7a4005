# GET /widget.js: the built widget with a strong ETag, caching by version,
# gzip, 304 — and a 404 (not a refusal to start) when it was not built.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp ();
use Digest::SHA qw(sha256_hex);
use IO::Uncompress::Gunzip qw(gunzip);
use CarBot::Chat;

my $dir = File::Temp::tempdir('carbot-wjs-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $js = "(function(){'use strict';var x='" . ('carbot ' x 2000) . "';})();\n";
open my $fh, '>', "$dir/widget.js" or die;
print {$fh} $js;
close $fh;
my $etag = sha256_hex($js);

my $t = CarBot::Chat::server(chat => {widget_js => "$dir/widget.js"});

subtest 'served with type, strong ETag and a short cache' => sub {
	my $r = $t->get('/widget.js');
	is $r->{status}, 200, 'status 200';
	is $r->{content}, $js, 'the file';
	is $r->{headers}{'content-type'}, 'application/javascript; charset=utf-8', 'Content-Type';
	is $r->{headers}{etag}, qq{"$etag"}, 'ETag: SHA-256 of the file';
	is $r->{headers}{'cache-control'}, 'public, max-age=300', '5 minutes unversioned';
	like $r->{headers}{'content-security-policy'}, qr/default-src 'none'/, 'a CSP';
	is $r->{headers}{'x-content-type-options'}, 'nosniff', 'nosniff';
	is $r->{headers}{'cross-origin-resource-policy'}, 'cross-origin', 'any site may load it';
};

subtest 'versioned URL: immutable for a year' => sub {
	my $v = substr $etag, 0, 12;
	is $t->get("/widget.js?v=$v")->{headers}{'cache-control'}, 'public, max-age=31536000, immutable', '?v=<etag prefix>';
	is $t->get('/widget.js?v=00000000')->{headers}{'cache-control'}, 'public, max-age=300', 'a stale version: short';
};

subtest 'gzip when accepted, 304 when unchanged, HEAD' => sub {
	my $r = $t->get('/widget.js', headers => {'Accept-Encoding' => 'gzip, deflate'});
	is $r->{headers}{'content-encoding'}, 'gzip', 'Content-Encoding: gzip';
	ok length($r->{content}) < length($js) / 5, 'much smaller';
	gunzip(\$r->{content} => \my $plain) or die;
	is $plain, $js, 'decompresses to the file';
	like $r->{headers}{vary}, qr/Accept-Encoding/, 'Vary: Accept-Encoding';
	$r = $t->get('/widget.js', headers => {'Accept-Encoding' => 'gzip;q=0'});
	ok !$r->{headers}{'content-encoding'}, 'gzip;q=0: plain';
	$r = $t->get('/widget.js', headers => {'If-None-Match' => qq{"$etag"}});
	is $r->{status}, 304, 'If-None-Match: 304';
	ok !length($r->{content} // ''), 'no body';
	is $t->req('HEAD', '/widget.js')->{status}, 200, 'HEAD 200';
};

subtest 'not built: carbotd starts, /widget.js is 404' => sub {
	my $t2 = CarBot::Chat::server(chat => {widget_js => "$dir/missing.js"});
	is $t2->get('/healthz')->{status}, 200, 'running';
	my $r = $t2->get('/widget.js');
	is $r->{status}, 404, 'status 404';
	like $t2->log, qr/widget script .*missing\.js cannot be read/, 'a warning in the log';
};

done_testing;
