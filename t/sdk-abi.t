# The SDK's promises, checked rather than trusted: the function table is
# pinned by sdk/abi.manifest, a plugin built with the 1.0 headers still loads
# and works, a plugin declaring an older minor cannot call a newer function
# outside CB_IF_HAS (it does not compile), and the headers work from C++.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Copy qw(copy);
use File::Path qw(make_path);
use CarBot::Test;

my $t = CarBot::Test->new(start => 0);
my $root = $t->root;
my $tmp = $t->tmpdir;
my $cc = $ENV{CC} || 'cc';

sub sh {
	my ($cmd) = @_;
	my $out = `$cmd 2>&1`;
	return ($? >> 8, $out);
}

subtest 'the manifest matches the headers and keeps every 1.0 slot' => sub {
	my ($rc, $out) = sh("cd $root && perl sdk/tools/abi-manifest.pl --check sdk/abi.manifest t/fixtures/sdk-1.0");
	is $rc, 0, 'abi-manifest --check passes' or diag $out;
	my @lines = split /\n/, `cat $root/sdk/abi.manifest`;
	like $lines[0], qr/^0\t1\.0\tcb_strerror\tconst char \*cb_strerror\(int code\)$/, 'slot 0 is cb_strerror';
	my ($maj, $min) = (`cat $root/sdk/carbot/version.h` =~ /CB_SDK_MAJOR (\d+).*CB_SDK_MINOR (\d+)/s);
	like $lines[-1], qr/^\d+\t$maj\.$min\t/, 'the last slot belongs to the current minor';
};

# A copy of the SDK headers with one edit, checked against the manifest.
sub edited {
	my ($name, $edit) = @_;
	my $dir = "$tmp/$name";
	make_path("$dir/carbot/services");
	copy($_, "$dir/carbot/") or die for glob "$root/sdk/carbot/*.h";
	my $api = do { local (@ARGV, $/) = "$dir/carbot/api.h"; <> };
	$api = $edit->($api);
	open my $fh, '>', "$dir/carbot/api.h" or die;
	print {$fh} $api;
	close $fh;
	return sh("cd $root && CB_SDK_DIR=$dir perl sdk/tools/abi-manifest.pl --check sdk/abi.manifest t/fixtures/sdk-1.0");
}

subtest 'a moved slot fails the check, naming it' => sub {
	my ($rc, $out) = edited('moved', sub { my $s = shift;
		$s =~ s/X\(cb_alloc, 0\)(\s*\\\n\s*)X\(cb_strdup, 0\)/X(cb_strdup, 0)$1X(cb_alloc, 0)/ or die; $s });
	isnt $rc, 0, 'swapping cb_alloc and cb_strdup fails';
	like $out, qr/slot 1 differs/, 'naming slot 1';
};

subtest 'a function inserted before the end fails the check' => sub {
	my ($rc, $out) = edited('inserted', sub { my $s = shift;
		$s =~ s/X\(cb_log, 0\)(\s*\\\n\s*)/X(cb_log, 0)$1X(cb_is_uuid, 6)$1/ or die; $s });
	isnt $rc, 0, 'fails';
	like $out, qr/slot 7 differs/, 'at the slot it pushed away';
};

subtest 'a changed signature fails the check' => sub {
	my $dir = "$tmp/sig";
	make_path("$dir/carbot");
	copy($_, "$dir/carbot/") or die for glob "$root/sdk/carbot/*.h";
	my $h = do { local (@ARGV, $/) = "$dir/carbot/util.h"; <> };
	$h =~ s/int cb_is_uuid\(const char \*s\);/long cb_is_uuid(const char *s);/ or die;
	open my $fh, '>', "$dir/carbot/util.h" or die;
	print {$fh} $h;
	close $fh;
	my ($rc, $out) = sh("cd $root && CB_SDK_DIR=$dir perl sdk/tools/abi-manifest.pl --check sdk/abi.manifest t/fixtures/sdk-1.0");
	isnt $rc, 0, 'cb_is_uuid returning long instead of int fails';
	like $out, qr/long cb_is_uuid/, 'shows the new signature';
};

# ---- compile-time guard for newer functions
my $cfile = "$tmp/guard.c";
sub compile {
	my ($minor, $body) = @_;
	open my $fh, '>', $cfile or die;
	print {$fh} "#define CB_PLUGIN_SDK_MINOR $minor\n#include <carbot/sdk.h>\n"
	  . "static int h(cb_req *req)\n{\n$body\n\treturn CB_OK;\n}\n"
	  . "static int init(cb_plugin *p)\n{\n\treturn cb_route(p, \"GET\", \"/g\", CB_AUTH_PUBLIC, NULL, h);\n}\n"
	  . "CB_PLUGIN(\"guard\", \"1.0.0\", NULL, init, NULL)\n";
	close $fh;
	return sh("$cc -std=c11 -Wall -Wextra -Werror -fPIC -shared -I$root/sdk -o $tmp/guard.so $cfile");
}

subtest 'an older minor calling a newer function without CB_IF_HAS does not compile' => sub {
	my ($rc, $out) = compile(0, "\tcb_reply_json(req, 200, cb_json_new_bool(req, cb_is_uuid(cb_req_param(req, \"x\"))));");
	isnt $rc, 0, 'declares 1.0, calls cb_is_uuid (1.3) unguarded: the compile fails';
	like $out, qr/cb__guard_cb_is_uuid/, 'the error names the guard';
	($rc, $out) = compile(2, "\tcb_sha256_hex(req, \"a\", 1);");
	isnt $rc, 0, 'declares 1.2, calls cb_sha256_hex (1.3): fails';
	($rc, $out) = compile(5, "\tcb_check *c = cb_check_new(req, NULL);\n\tlong long n = 0;\n\tcb_query_int(c, \"n\", 0, 0, 9, &n);");
	isnt $rc, 0, 'declares 1.5, calls cb_query_int (1.6): fails';
};

subtest 'inside CB_IF_HAS, or with the minor declared, it compiles' => sub {
	my ($rc, $out) = compile(0, "\tCB_IF_HAS(cb_is_uuid) {\n\t\tcb_reply_json(req, 200, cb_json_new_bool(req, cb_is_uuid(\"x\")));\n\t}");
	is $rc, 0, 'guarded by CB_IF_HAS' or diag $out;
	($rc, $out) = compile(3, "\tcb_reply_json(req, 200, cb_json_new_bool(req, cb_is_uuid(\"x\")));");
	is $rc, 0, 'declaring 1.3' or diag $out;
	($rc, $out) = compile(0, "\tcb_reply_json(req, 200, cb_json_new_bool(req, CB_HAS(cb_is_uuid)));");
	is $rc, 0, 'CB_HAS as an expression needs no guard' or diag $out;
};

subtest 'the headers work from C++: sdk/examples/hello built with g++' => sub {
	my ($rc, $out) = sh("g++ -std=c++17 -Wall -Wextra -Werror -fPIC -fvisibility=hidden -shared "
	                  . "-I$root/sdk -x c++ -o $tmp/hello_cpp.so $root/sdk/examples/hello/hello.c");
	is $rc, 0, 'hello.c compiles as C++17' or diag $out;
	($rc, $out) = sh("g++ -std=c++11 -Wall -Wextra -Werror -fPIC -shared -I$root/sdk -x c++ "
	               . "-o $tmp/deps_cpp.so -DDEPS_TEST - <<'EOC'\n#include <carbot/sdk.h>\n"
	               . "static int init(cb_plugin *p) { (void)p; return CB_OK; }\n"
	               . "CB_PLUGIN(\"depscpp\", \"1.0.0\", CB_DEPS(\"auth\", \"keys\"), init, NULL)\nEOC\n");
	is $rc, 0, 'CB_DEPS and CB_PLUGIN compile as C++11' or diag $out;
	like `nm -D $tmp/hello_cpp.so`, qr/\bT carbot_plugin$/m, 'carbot_plugin is exported unmangled';
	$t->write_conf(path => $t->conf_path, extra_conf => "[plugin hello]\nfile = $tmp/hello_cpp.so\ngreeting = Servus\n");
	$t->start_carbotd;
	my $r = $t->get('/api/v1/hello/Ada');
	is $r->{status}, 200, 'the C++ build loads and answers';
	is $r->{json}{message}, 'Servus, Ada!', 'with its setting';
	$t->stop_carbotd;
};

subtest 'a plugin built with the SDK 1.0 headers loads and works' => sub {
	my $so = $t->build . '/t/fixtures/abi10.so';
	ok -f $so, 'abi10.so was built by make from t/fixtures/sdk-1.0' or return;
	my $t2 = CarBot::Test->new(extra_conf => "[plugin abi10]\nfile = $so\nword = servus\n");
	my $r = $t2->get('/abi10/Ada');
	is $r->{status}, 200, 'its route answers';
	is_deeply $r->{json}, {word => 'servus', shout => 'Ada!', length => 3, seen => 'Ada',
	                       has_service => JSON::PP::false, strerror => 'CB_EDB'},
	  'settings, queries, request attributes, services and cb_strerror all reach the right slot';
	$r = $t2->post('/abi10', json => {});
	is $r->{status}, 400, 'cb_check through the 1.0 table';
	is $r->{json}{error}{details}[0]{field}, 'n', 'with details';
	$r = $t2->post('/abi10', json => {n => 3});
	is $r->{status}, 418, 'cb_reply_error';
	is $r->{json}{error}{message}, 'n=3', 'formatted';
};

done_testing;
