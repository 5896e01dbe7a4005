# Logo and favicon uploads: type by magic bytes (PNG, JPEG, WebP; never
# SVG), the size cap, content-addressed storage, immutable serving, and
# the page using them.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(sha256_hex);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing;

my $t = CarBot::Landing::server();
my $API = '/api/v1/landing-pages';
my $u = CarBot::Landing::premium($t);
my $h = bearer($u->{access});
my $page = CarBot::Landing::published($t, $u, subdomain => 'logo-test');
my $HOST = "logo-test.$CarBot::Landing::BASE";

my $PNG = "\x89PNG\r\n\x1a\n" . "\0\0\0\rIHDR" . ("\x01" x 200);
my $JPEG = "\xff\xd8\xff\xe0\0\x10JFIF\0" . ("\x02" x 300);
my $WEBP = 'RIFF' . pack('V', 400) . 'WEBPVP8 ' . ("\x03" x 400);

sub upload {
	my ($kind, $body, %o) = @_;
	my $id = $o{id} // $page->{id};
	return $t->post("$API/$id/assets" . (defined $kind ? "?kind=$kind" : ''), body => $body,
	                headers => {%{$o{headers} // $h}, 'Content-Type' => $o{type} // 'application/octet-stream'});
}

subtest 'a PNG logo is stored by its SHA-256 and used by the page' => sub {
	my $r = upload('logo', $PNG, type => 'image/gif');
	is $r->{status}, 201, 'status 201' or diag $r->{content};
	my $sha = sha256_hex($PNG);
	is $r->{json}{sha256}, $sha, 'named by SHA-256';
	is $r->{json}{url}, "/assets/$page->{id}/$sha.png", 'URL';
	is $r->{json}{content_type}, 'image/png', 'type from the bytes, not the header';
	is $r->{json}{bytes}, length $PNG, 'size';
	ok -f $t->tmpdir . "/assets/$page->{id}/$sha.png", 'the file under asset_dir';
	my $g = $t->get($r->{json}{url});
	is $g->{status}, 200, 'served';
	is $g->{content}, $PNG, 'the same bytes';
	is $g->{headers}{'content-type'}, 'image/png', 'Content-Type';
	is $g->{headers}{'cache-control'}, 'public, max-age=31536000, immutable', 'cached for a year';
	is $g->{headers}{etag}, "\"$sha\"", 'ETag';
	is $t->get($r->{json}{url}, headers => {'If-None-Match' => "\"$sha\""})->{status}, 304, 'If-None-Match: 304';
	my $p = $t->get("$API/$page->{id}", headers => $h)->{json};
	is $p->{configuration}{theme}{logo_url}, $r->{json}{url}, 'theme.logo_url set';
	my $html = CarBot::Landing::host_get($t, $HOST, '/')->{content};
	like $html, qr{\Q$r->{json}{url}\E}, 'the page shows it at once';
	like $html, qr{<meta property="og:image" content="http://$HOST/assets/$page->{id}/$sha\.png">},
	  'og:image absolute';
	my ($ld) = CarBot::Landing::jsonld($html);
	is $ld->{image}, "http://$HOST/assets/$page->{id}/$sha.png", 'JSON-LD image';
	is upload('logo', $PNG)->{status}, 201, 'the same upload again is fine';
};

subtest 'JPEG and WebP favicons' => sub {
	my $r = upload('favicon', $JPEG);
	is $r->{status}, 201, 'JPEG 201';
	is $r->{json}{content_type}, 'image/jpeg', 'image/jpeg';
	like $r->{json}{url}, qr/\.jpg$/, '.jpg';
	$r = upload('favicon', $WEBP);
	is $r->{status}, 201, 'WebP 201';
	is $r->{json}{content_type}, 'image/webp', 'image/webp';
	is $t->get($r->{json}{url})->{headers}{'content-type'}, 'image/webp', 'served as image/webp';
	my $p = $t->get("$API/$page->{id}", headers => $h)->{json};
	is $p->{configuration}{theme}{favicon_url}, $r->{json}{url}, 'theme.favicon_url is the latest';
	like CarBot::Landing::host_get($t, $HOST, '/')->{content}, qr{<link rel="icon" href="\Q$r->{json}{url}\E">},
	  'the page links it';
};

subtest 'SVG and other types are refused' => sub {
	my $svg = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
	my $r = upload('logo', $svg, type => 'image/png');
	is $r->{status}, 415, 'SVG (claimed to be PNG): 415';
	like $r->{json}{error}{message}, qr/SVG/, 'says why';
	is upload('logo', "  \n<svg/>")->{status}, 415, 'SVG after white space: 415';
	is upload('logo', "GIF89a\x01\x00\x01\x00" . ("\0" x 20))->{status}, 415, 'GIF: 415';
	is upload('logo', 'just text')->{status}, 415, 'text: 415';
	is upload('logo', "\x89PN")->{status}, 415, 'a truncated signature: 415';
	my $e = upload('logo', '');
	is $e->{status}, 400, 'empty: 400';
	my $files = () = glob($t->tmpdir . "/assets/$page->{id}/*");
	is $files, 3, 'nothing refused was stored';
};

subtest 'the size cap is 2 MiB' => sub {
	is upload('logo', $PNG . ("\0" x (2 * 1024 * 1024 - length($PNG))))->{status}, 201, 'exactly 2 MiB: 201';
	my $r = upload('logo', $PNG . ("\0" x (2 * 1024 * 1024)));
	is $r->{status}, 413, 'more: 413';
	is $r->{json}{error}{code}, 'payload_too_large', 'payload_too_large';
};

subtest 'kind, owner, plan and token are checked' => sub {
	my $r = upload(undef, $PNG);
	is $r->{status}, 400, 'no kind: 400';
	is $r->{json}{error}{details}[0]{field}, 'kind', '... on kind';
	is upload('banner', $PNG)->{status}, 400, 'unknown kind: 400';
	my $other = CarBot::Landing::premium($t);
	is upload('logo', $PNG, headers => bearer($other->{access}))->{status}, 404, 'another user: 404';
	my $basic = CarBot::Landing::premium($t, 'basic');
	is upload('logo', $PNG, headers => bearer($basic->{access}))->{status}, 403, 'basic: 403';
	is upload('logo', $PNG, headers => {})->{status}, 401, 'no token: 401';
};

subtest 'only stored names are served' => sub {
	my $sha = sha256_hex($PNG);
	for my $path ("/assets/$page->{id}/$sha.svg", "/assets/$page->{id}/../$sha.png",
	              "/assets/$page->{id}/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/assets/x/$sha.png",
	              "/assets/$page->{id}/" . ('0' x 64) . '.png', "/assets/$page->{id}/.tmp-x") {
		is $t->get($path)->{status}, 404, "$path: 404";
	}
};

subtest 'deleting the page removes its assets' => sub {
	my $sha = sha256_hex($PNG);
	$t->del("$API/$page->{id}", headers => $h);
	ok !-d $t->tmpdir . "/assets/$page->{id}", 'directory gone';
	is $t->get("/assets/$page->{id}/$sha.png")->{status}, 404, 'not served';
};

done_testing;
