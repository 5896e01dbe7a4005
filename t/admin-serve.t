# The admin plugin serves the built dashboard at /admin/ (plugins/admin):
# hashed assets cached for a year with ETags, index.html never cached, the
# single-page app's client routes falling back to index.html, missing files
# 404 (never HTML in place of a script), gzip, 304, a strict CSP, and a
# missing build that does not stop carbotd.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use File::Path qw(make_path);
use IO::Uncompress::Gunzip qw(gunzip);
use Digest::SHA qw(sha256_hex);
use CarBot::Test;

my $dir = tempdir('admin-ui-XXXXXX', TMPDIR => 1, CLEANUP => 1);
make_path("$dir/assets", "$dir/.hidden");
my %files = (
	'index.html' => '<!doctype html><html><head><script type="module" src="/admin/assets/main-AbC123.js"></script></head><body><div id="root"></div></body></html>',
	'preview.html' => '<!doctype html><title>Vorschau</title>',
	'assets/main-AbC123.js' => 'console.log("dashboard");' . ("/* filler */\n" x 200),
	'assets/main-AbC123.css' => 'body{margin:0}',
	'favicon.svg' => '<svg xmlns="http://www.w3.org/2000/svg"/>',
	'.hidden/secret.txt' => 'not served',
	'.env' => 'SECRET=1',
);
for my $f (keys %files) {
	open my $fh, '>:raw', "$dir/$f" or die "$dir/$f: $!";
	print {$fh} $files{$f};
	close $fh;
}

my $t = CarBot::Test->new(plugins => ['admin'], plugin_conf => {admin => {dir => $dir}}, redis => 0);

subtest 'index.html at /admin/ and /admin, not cached' => sub {
	for my $p ('/admin/', '/admin') {
		my $r = $t->get($p);
		is $r->{status}, 200, "$p: 200";
		is $r->{content}, $files{'index.html'}, "$p: the built index.html";
		like $r->{headers}{'content-type'}, qr{^text/html; charset=utf-8}, "$p: HTML";
		like $r->{headers}{'cache-control'}, qr/no-store/, "$p: never cached";
		is $r->{headers}{etag}, '"' . sha256_hex($files{'index.html'}) . '"', "$p: ETag is its SHA-256";
	}
};

subtest 'client routes fall back to index.html' => sub {
	for my $p ('/admin/keys', '/admin/leads/', '/admin/conversations/5f0c', '/admin/a/b/c/d') {
		my $r = $t->get($p);
		is $r->{status}, 200, "$p: 200";
		is $r->{content}, $files{'index.html'}, "$p: index.html";
	}
	is $t->get('/admin/a/b/c/d/e')->{status}, 404, 'deeper than any client route: 404';
};

subtest 'hashed assets: immutable for a year, right type, ETag, 304' => sub {
	my $r = $t->get('/admin/assets/main-AbC123.js');
	is $r->{status}, 200, '200';
	is $r->{content}, $files{'assets/main-AbC123.js'}, 'the file';
	like $r->{headers}{'content-type'}, qr{^application/javascript}, 'JavaScript';
	is $r->{headers}{'cache-control'}, 'public, max-age=31536000, immutable', 'a year, immutable';
	my $etag = $r->{headers}{etag};
	is $etag, '"' . sha256_hex($files{'assets/main-AbC123.js'}) . '"', 'strong ETag';
	my $nm = $t->get('/admin/assets/main-AbC123.js', headers => {'If-None-Match' => $etag});
	is $nm->{status}, 304, 'If-None-Match: 304';
	ok !length($nm->{content} // ''), '... without a body';
	is $t->get('/admin/assets/main-AbC123.js', headers => {'If-None-Match' => '"other"'})->{status}, 200,
	   'another ETag: 200';
	like $t->get('/admin/assets/main-AbC123.css')->{headers}{'content-type'}, qr{^text/css}, 'CSS as text/css';
	my $fav = $t->get('/admin/favicon.svg');
	is $fav->{headers}{'content-type'}, 'image/svg+xml', 'SVG type';
	is $fav->{headers}{'cache-control'}, 'public, max-age=3600', 'unhashed files: an hour';
};

subtest 'gzip when accepted, identical bytes' => sub {
	my $r = $t->get('/admin/assets/main-AbC123.js', headers => {'Accept-Encoding' => 'gzip, br'});
	is $r->{headers}{'content-encoding'}, 'gzip', 'gzip';
	like $r->{headers}{vary}, qr/Accept-Encoding/, 'Vary: Accept-Encoding';
	gunzip(\$r->{content} => \my $plain) or die 'gunzip';
	is $plain, $files{'assets/main-AbC123.js'}, 'decompresses to the file';
	cmp_ok length $r->{content}, '<', length $files{'assets/main-AbC123.js'}, 'smaller';
	my $no = $t->get('/admin/assets/main-AbC123.js', headers => {'Accept-Encoding' => 'gzip;q=0'});
	ok !$no->{headers}{'content-encoding'}, 'gzip;q=0: plain';
};

subtest 'missing files are 404, never the app' => sub {
	for my $p ('/admin/assets/main-Old999.js', '/admin/assets/x', '/admin/missing.js', '/admin/robots.txt') {
		my $r = $t->get($p);
		is $r->{status}, 404, "$p: 404";
		unlike $r->{content} // '', qr/<div id="root">/, "$p: not index.html";
	}
};

subtest 'dot-files and traversal are not served' => sub {
	for my $p ('/admin/.env', '/admin/.hidden/secret.txt', '/admin/%2e%2e/etc/passwd', '/admin/assets/%2e%2e%2findex.html',
	           '/admin/..%2f..%2fetc%2fpasswd') {
		my $r = $t->get($p);
		is $r->{status}, 404, "$p: 404";
		unlike $r->{content} // '', qr/SECRET|not served|root:/, "$p: nothing leaked";
	}
};

subtest 'a strict CSP; only preview.html may be framed, by the dashboard' => sub {
	my $csp = $t->get('/admin/')->{headers}{'content-security-policy'};
	like $csp, qr/default-src 'none'/, "default-src 'none'";
	like $csp, qr/script-src 'self'(;|$)/, "script-src 'self' only (no inline script, no eval)";
	like $csp, qr/connect-src 'self'/, "connect-src 'self'";
	like $csp, qr/frame-ancestors 'none'/, 'not framable';
	like $csp, qr/object-src 'none'/, 'no plugins';
	like $csp, qr/base-uri 'none'/, 'no base tag';
	is $t->get('/admin/')->{headers}{'x-frame-options'}, 'DENY', 'X-Frame-Options: DENY';
	my $p = $t->get('/admin/preview.html');
	is $p->{status}, 200, 'preview.html';
	like $p->{headers}{'content-security-policy'}, qr/frame-ancestors 'self'/, 'framable by this origin';
	is $p->{headers}{'x-frame-options'}, 'SAMEORIGIN', 'X-Frame-Options: SAMEORIGIN';
	like $p->{headers}{'cache-control'}, qr/no-store/, 'not cached';
};

subtest 'HEAD and other methods' => sub {
	my $h = $t->req('HEAD', '/admin/assets/main-AbC123.js');
	is $h->{status}, 200, 'HEAD: 200';
	ok !length($h->{content} // ''), 'HEAD: no body';
	my $p = $t->post('/admin/keys', json => {});
	is $p->{status}, 405, 'POST: 405';
};

subtest 'a missing build: carbotd starts, /admin/ says how to build it' => sub {
	my $t2 = CarBot::Test->new(plugins => ['admin'], plugin_conf => {admin => {dir => "$dir/nope"}}, redis => 0);
	my $r = $t2->get('/admin/');
	is $r->{status}, 404, 'answers 404';
	like $r->{json}{error}{message}, qr/make admin-ui/, 'names make admin-ui';
	like $t2->log, qr/dashboard in \S+ cannot be read/, 'a warning in the log';
	is $t2->get('/healthz')->{status}, 200, 'carbotd serves';
};

subtest 'the real build, when make built it' => sub {
	my $idx = $t->build . '/admin-ui/index.html';
	plan skip_all => 'no build' unless -s $idx;
	my $t3 = CarBot::Test->new(plugins => ['admin'], redis => 0);
	my $r = $t3->get('/admin/');
	is $r->{status}, 200, 'index.html from plugin_dir/../admin-ui';
	my ($js) = $r->{content} =~ m{src="(/admin/assets/[^"]+\.js)"};
	ok $js, 'it names a hashed script';
	my $a = $t3->get($js);
	is $a->{status}, 200, "$js: 200";
	is $a->{headers}{'cache-control'}, 'public, max-age=31536000, immutable', '... immutable';
	unlike $r->{content}, qr/<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in index.html (the CSP forbids it)';
};

done_testing;
