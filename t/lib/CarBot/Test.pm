package CarBot::Test;
# Integration-test harness: a throwaway PostgreSQL, Redis and carbotd per test
# file, modelled on PostgreSQL::Test::Cluster and nginx-tests' Test::Nginx.
#
#   use lib 't/lib';
#   use Test::More;
#   use CarBot::Test;
#
#   my $t = CarBot::Test->new(plugins => ['auth'],
#                             plugin_conf => {auth => {jwt_secret => 'x' x 64}});
#   my $r = $t->get('/healthz');
#   is $r->{status}, 200;
#   my $rows = $t->sql("SELECT id FROM tenants WHERE name = :'p1'", "O'Brien");
#   done_testing;
#
# new(%opt):
#   plugins      => [names]   one "[plugin NAME]" section each, in this order
#   test_plugins => [names]   these sections get "file = BUILD/t/plugins/NAME.so";
#                             names not already in plugins are appended after them
#   plugin_conf  => {NAME => {key => value}}   keys of a section (sorted)
#   conf         => {key => value}  override/add global settings; undef removes one
#   extra_conf   => "raw text"      appended at the end of the file
#   redis        => 1   0: no Redis is started; redis = points at a closed port
#   start        => 1   0: do not start carbotd (start_carbotd later)
#
# Each test gets its own temp dir (tmpdir) holding pg/ (data, sock, log),
# redis/, carbot.conf and carbotd.log. PostgreSQL listens on a unix socket
# only. The cluster is copied from a template that initdb creates once under
# BUILD/t/pg-template/VERSION (with the database carbot already in it).
#
# sql($sql, @params): params are bound as psql variables p1..pN; write them in
# the SQL as :'p1' (a quoted literal) or :"p1" (a quoted identifier). undef
# cannot be bound (write NULL in the SQL). Returns every row of every statement
# that returns rows, as arrayrefs of strings (undef for NULL), decoded from
# UTF-8. Dies with psql's error text.
#
# Everything started is stopped and the temp dir removed when the object is
# destroyed, at END, on SIGINT/SIGTERM/SIGHUP, and (for children whose test
# process died hard) by the next harness that starts. CARBOT_TEST_KEEP=1 keeps
# the temp dir (processes are still stopped) and prints its path.
#
# carbotd runs with ASAN/UBSAN/LSAN options set; when it stops (stop_carbotd,
# done_testing, END) and its log holds a sanitizer report, a failing test
# "carbotd ran clean under sanitizers" is emitted with the report.
use strict;
use warnings;
use Test::More ();
use HTTP::Tiny;
use JSON::PP;
use File::Temp ();
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use File::Path qw(make_path remove_tree);
use File::Basename qw(dirname);
use File::Spec;
use Cwd qw(abs_path);
use Fcntl qw(:flock);
use Scalar::Util qw(weaken refaddr);
use Config;
use Encode ();
use CarBot::OpenAPICheck;

our $ROOT = abs_path(dirname(__FILE__) . '/../../..');
my $JSON_ENC = JSON::PP->new->utf8->canonical->allow_nonref;
my $JSON_DEC = JSON::PP->new->utf8->allow_nonref;
my $SAN_RE = qr/AddressSanitizer|LeakSanitizer|runtime error:/;
my %LIVE; # refaddr => weak ref to every harness of this process

# ---------------------------------------------------------------- utilities

sub _code { my ($st) = @_; ($st & 127) ? 128 + ($st & 127) : $st >> 8 }

sub _slurp {
	my ($path, $from) = @_;
	open my $fh, '<:raw', $path or return '';
	seek $fh, $from, 0 if $from;
	local $/;
	my $s = <$fh>;
	return $s // '';
}

sub _tail {
	my ($text, $n) = @_;
	my @l = split /\n/, $text // '';
	splice @l, 0, @l - $n if @l > $n;
	return join "\n", @l;
}

# Child processes die with the harness even when it is SIGKILLed
# (prctl(PR_SET_PDEATHSIG, SIGKILL)); a no-op where the syscall number is unknown.
my %PRCTL = (x86_64 => 157, aarch64 => 167);
sub _pdeathsig {
	return unless $^O eq 'linux';
	my ($arch) = $Config{archname} =~ /^([^-]+)/;
	syscall($PRCTL{$arch}, 1, 9) if $PRCTL{$arch};
}

# Forks and execs cmd. out/err: files appended to (err defaults to out; both
# default to /dev/null), stdin: a file, env: {NAME => value or undef}.
sub _spawn {
	my (%o) = @_;
	my $pid = fork;
	die "fork: $!" unless defined $pid;
	return $pid if $pid;
	eval {
		setpgrp(0, 0) if $o{setpgrp};
		_pdeathsig() if $o{pdeathsig};
		chdir $o{cwd} or die "chdir $o{cwd}: $!\n" if $o{cwd};
		open STDIN, '<', $o{stdin} // '/dev/null' or die "stdin: $!\n";
		open STDOUT, '>>', $o{out} // '/dev/null' or die "stdout: $!\n";
		if ($o{err}) { open STDERR, '>>', $o{err} or die "stderr: $!\n" }
		else { open STDERR, '>&', \*STDOUT or die "stderr: $!\n" }
		while (my ($k, $v) = each %{$o{env} || {}}) {
			if (defined $v) { $ENV{$k} = $v } else { delete $ENV{$k} }
		}
		exec { $o{cmd}[0] } @{$o{cmd}} or die "exec $o{cmd}[0]: $!\n";
	};
	print STDERR $@;
	POSIX::_exit(127);
}

# Waits for a child; returns its wait status, or undef after timeout seconds.
sub _wait {
	my ($pid, $timeout) = @_;
	local $?; # callers' $? (a test's exit code) stays as it was
	my $end = time + $timeout;
	while (1) {
		my $r = waitpid($pid, WNOHANG);
		return $? if $r == $pid;
		return 0 if $r < 0; # not our child any more
		return undef if time > $end;
		sleep 0.02;
	}
}

# Runs cmd to completion: (exit code, stdout, stderr). Killed after timeout
# (default 60 s), then the code is -1.
sub _run {
	my ($cmd, %o) = @_;
	local $?;
	my $in = File::Temp->new;
	print {$in} $o{stdin} // '';
	close $in;
	my $out = File::Temp->new;
	my $err = $o{merge} ? undef : File::Temp->new;
	my $pid = _spawn(cmd => $cmd, stdin => "$in", out => "$out", err => $err && "$err",
	                 env => $o{env}, cwd => $o{cwd}, setpgrp => $o{setpgrp},
	                 pdeathsig => $o{pdeathsig});
	my $st = _wait($pid, $o{timeout} // 60);
	my $code;
	if (defined $st) {
		$code = _code($st);
	} else {
		kill 'KILL', $pid;
		waitpid $pid, 0;
		$code = -1;
	}
	return ($code, _slurp("$out"), $err ? _slurp("$err") : '');
}

sub _is_root { $> == 0 }

sub _pg_user {
	my @pw = getpwnam('postgres')
	  or die "running as root needs the postgres OS user (scripts/deps.sh installs postgresql)\n";
	return @pw[2, 3];
}

# Prefix for commands that must run as the PostgreSQL owner.
sub _as_pg { _is_root() ? ('runuser', '-u', 'postgres', '--') : () }

sub _chown_pg {
	return unless _is_root();
	my ($uid, $gid) = _pg_user();
	my ($code, undef, $err) = _run(['chown', '-R', "$uid:$gid", @_]);
	die "chown @_: $err" if $code;
}

my $PG_BIN;
sub _pg_bin {
	return $PG_BIN if $PG_BIN;
	if ($ENV{PG_BINDIR}) { return $PG_BIN = $ENV{PG_BINDIR} }
	for my $dir (File::Spec->path) {
		return $PG_BIN = dirname(abs_path("$dir/initdb")) if -x "$dir/initdb";
	}
	my @dirs = sort { ($b =~ m{/(\d+)/bin$})[0] <=> ($a =~ m{/(\d+)/bin$})[0] }
	           grep { -x "$_/initdb" } glob '/usr/lib/postgresql/*/bin';
	return $PG_BIN = $dirs[0] if @dirs;
	die "PostgreSQL server binaries not found (initdb): run scripts/deps.sh or set PG_BINDIR\n";
}

my %PG_ENV = (LC_ALL => 'C', map { $_ => undef } grep { /^PG/ } keys %ENV);

sub _pg_opts {
	my ($sock, $port) = @_;
	return "-c listen_addresses='' -k '$sock' -p $port"
	     . " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
}

sub _pg_ctl {
	my ($data, @args) = @_;
	my ($code, $out, $err) = _run([_as_pg(), _pg_bin() . '/pg_ctl', @args, '-D', $data],
	                              env => \%PG_ENV, cwd => '/', timeout => 90);
	return ($code, $out . $err);
}

# Ports: random, bindable on 127.0.0.1, and reserved against the other
# harnesses on this machine by a lock file held for the harness's lifetime.
my $PORT_DIR = File::Spec->tmpdir . '/carbot-test-ports';
sub _reserve_port {
	my ($self) = @_;
	unless (-d $PORT_DIR) { mkdir $PORT_DIR; chmod 01777, $PORT_DIR }
	for (1 .. 500) {
		my $port = 15000 + int rand 17000; # below the kernel's ephemeral range
		open my $fh, '>>', "$PORT_DIR/$port.lock" or next;
		flock $fh, LOCK_EX | LOCK_NB or next;
		my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
		                              Proto => 'tcp', ReuseAddr => 1, Listen => 1) or next;
		close $s;
		push @{$self->{port_locks}}, $fh;
		return $port;
	}
	die "no free port found\n";
}

# A temp dir whose harness process is gone: kill what it left and remove it.
sub _reap_stale {
	for my $dir (glob(File::Spec->tmpdir . '/carbot-t-*')) {
		next unless -O $dir && -f "$dir/harness.pid";
		my ($pid) = _slurp("$dir/harness.pid") =~ /(\d+)/ or next;
		next if kill 0, $pid;
		for (['carbotd.pid', 'carbotd'], ['redis/redis.pid', 'redis']) {
			my ($p) = _slurp("$dir/$_->[0]") =~ /(\d+)/ or next;
			kill 'KILL', $p if _slurp("/proc/$p/cmdline") =~ /$_->[1]/;
		}
		_pg_ctl("$dir/pg/data", 'stop', '-m', 'immediate', '-w')
		  if -f "$dir/pg/data/postmaster.pid";
		remove_tree($dir, {error => \my $ignored});
	}
}

# ------------------------------------------------------------------ set-up

sub new {
	my ($class, %opt) = @_;
	my $self = bless {opt => \%opt, owner => $$, conf_n => 0}, $class;
	$LIVE{refaddr $self} = $self;
	weaken $LIVE{refaddr $self};

	my $build = $ENV{CARBOT_BUILD} || 'build';
	$build = "$ROOT/$build" unless $build =~ m{^/};
	$self->{build} = $build;

	_reap_stale();
	my $tmp = $self->{tmpdir} = File::Temp::tempdir('carbot-t-XXXXXX', TMPDIR => 1, CLEANUP => 0);
	chmod 0755, $tmp if _is_root(); # postgres must reach pg/ inside
	open my $fh, '>', "$tmp/harness.pid" or die "$tmp/harness.pid: $!";
	print {$fh} "$$\n";
	close $fh;

	$self->{port} = $self->_reserve_port;
	$self->{pg_port} = $self->_reserve_port;
	$self->{redis_port} = $self->_reserve_port;
	$self->{log} = "$tmp/carbotd.log";

	$self->_init_pg;
	$self->start_pg;
	$self->start_redis if $opt{redis} // 1;
	$self->write_conf(%opt, path => "$tmp/carbot.conf");
	$self->start_carbotd if $opt{start} // 1;
	return $self;
}

sub root { $ROOT }
sub build { $_[0]{build} }
sub tmpdir { $_[0]{tmpdir} }
sub port { $_[0]{port} }
sub pg_port { $_[0]{pg_port} }
sub pg_sockdir { "$_[0]{tmpdir}/pg/sock" }
sub pg_datadir { "$_[0]{tmpdir}/pg/data" }
sub redis_port { $_[0]{redis_port} }
# carbotd's Redis address: TCP, or the unix socket with redis_unix => 1
sub redis_addr {
	my ($self) = @_;
	return $self->{opt}{redis_unix} ? "unix:$self->{tmpdir}/redis/redis.sock"
	                                : "127.0.0.1:$self->{redis_port}";
}
sub conf_path { "$_[0]{tmpdir}/carbot.conf" }
sub carbotd_pid { $_[0]{carbotd_pid} }
sub pg_dsn {
	my ($self) = @_;
	return "host=" . $self->pg_sockdir . " port=$self->{pg_port} dbname=carbot user=postgres";
}

# The cached template cluster for this initdb version, created under a lock.
sub _pg_template {
	my ($self) = @_;
	my $bin = _pg_bin();
	my ($code, $ver) = _run(["$bin/initdb", '--version'], env => \%PG_ENV);
	die "initdb --version failed: $ver\n" if $code;
	($ver) = $ver =~ /(\d+(?:\.\d+)+|\d+)/ or die "cannot read initdb version\n";
	my $base = "$self->{build}/t/pg-template";
	my $dir = "$base/$ver";
	return $dir if -d $dir;

	make_path($base);
	open my $lock, '>>', "$dir.lock" or die "$dir.lock: $!";
	flock $lock, LOCK_EX or die "flock $dir.lock: $!";
	return $dir if -d $dir;

	my $work = File::Temp::tempdir('carbot-pgtpl-XXXXXX', TMPDIR => 1, CLEANUP => 0);
	my $ok = eval {
		chmod 0755, $work;
		_chown_pg($work);
		my ($c, $out, $err) = _run([_as_pg(), "$bin/initdb", '-D', "$work/data", '-A', 'trust',
		                            '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C'],
		                           env => \%PG_ENV, cwd => '/', timeout => 120);
		die "initdb failed:\n$out$err" if $c;
		($c, $out) = _pg_ctl("$work/data", 'start', '-w', '-t', '60', '-l', "$work/log",
		                     '-o', _pg_opts($work, 5432));
		die "template postgres did not start:\n$out" . _slurp("$work/log") if $c;
		($c, $out, $err) = _run(["$bin/psql", '-X', '-q', '-h', $work, '-p', 5432,
		                         '-U', 'postgres', '-d', 'postgres', '-c', 'CREATE DATABASE carbot'],
		                        env => \%PG_ENV);
		my $fail = $c ? "CREATE DATABASE failed: $err" : '';
		($c, $out) = _pg_ctl("$work/data", 'stop', '-m', 'fast', '-w');
		die $fail if $fail;
		die "template postgres did not stop: $out" if $c;
		unlink "$work/data/postmaster.opts";
		remove_tree("$dir.tmp.$$");
		($c, undef, $err) = _run(['cp', '-a', "$work/data", "$dir.tmp.$$"]);
		die "cp: $err" if $c;
		rename "$dir.tmp.$$", $dir or die "rename $dir: $!";
		1;
	};
	my $e = $@;
	remove_tree($work, {error => \my $ignored});
	die $e unless $ok;
	return $dir;
}

sub _init_pg {
	my ($self) = @_;
	my $tpl = $self->_pg_template;
	my $pg = "$self->{tmpdir}/pg";
	make_path("$pg/sock");
	my ($c, undef, $err) = _run(['cp', '-a', $tpl, "$pg/data"]);
	die "cp -a $tpl: $err" if $c;
	_chown_pg($pg);
}

# ------------------------------------------------------------ PostgreSQL

sub start_pg {
	my ($self) = @_;
	my $log = "$self->{tmpdir}/pg/log";
	my ($c, $out) = _pg_ctl($self->pg_datadir, 'start', '-w', '-t', '60', '-l', $log,
	                        '-o', _pg_opts($self->pg_sockdir, $self->{pg_port}));
	die "postgres did not start:\n$out" . _tail(_slurp($log), 30) . "\n" if $c;
	return 1;
}

sub stop_pg {
	my ($self, %o) = @_;
	my ($c, $out) = _pg_ctl($self->pg_datadir, 'stop', '-w', '-m', $o{mode} // 'fast');
	die "pg_ctl stop failed: $out" if $c;
	return 1;
}

sub restart_pg {
	my ($self) = @_;
	my $log = "$self->{tmpdir}/pg/log";
	my ($c, $out) = _pg_ctl($self->pg_datadir, 'restart', '-w', '-t', '60', '-m', 'fast',
	                        '-l', $log, '-o', _pg_opts($self->pg_sockdir, $self->{pg_port}));
	die "pg_ctl restart failed:\n$out" . _tail(_slurp($log), 30) . "\n" if $c;
	return 1;
}

sub sql {
	my ($self, $sql, @params) = @_;
	my @vars;
	for my $i (1 .. @params) {
		defined $params[$i - 1] or die "sql: parameter p$i is undef (write NULL in the SQL)\n";
		push @vars, '-v', "p$i=" . Encode::encode_utf8($params[$i - 1]);
	}
	my ($c, $out, $err) = _run([_pg_bin() . '/psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
	                            '-F', "\x1f", '-0', '-P', "null=\x1e",
	                            '-h', $self->pg_sockdir, '-p', $self->{pg_port},
	                            '-U', 'postgres', '-d', 'carbot', @vars],
	                           stdin => Encode::encode_utf8($sql), env => \%PG_ENV);
	die "sql failed (psql exit $c): $err" . "in: $sql\n" if $c;
	my @recs = split /\0/, $out, -1;
	pop @recs; # every record ends with the separator
	return [map { [map { $_ eq "\x1e" ? undef : Encode::decode_utf8($_) } split /\x1f/, $_, -1] } @recs];
}

# ----------------------------------------------------------------- Redis

sub _redis_ping {
	my ($port) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
	                              Proto => 'tcp', Timeout => 1) or return 0;
	print {$s} "PING\r\n";
	my $l = <$s>;
	return defined $l && $l eq "+PONG\r\n";
}

sub start_redis {
	my ($self) = @_;
	return 1 if $self->{redis_pid};
	my $dir = "$self->{tmpdir}/redis";
	make_path($dir);
	my $bin = (grep { -x } map { "$_/redis-server" } File::Spec->path, '/usr/bin')[0]
	  or die "redis-server not found: run scripts/deps.sh\n";
	my $pid = $self->{redis_pid} = _spawn(
		cmd => [$bin, '--port', $self->{redis_port}, '--bind', '127.0.0.1', '--save', '',
		        '--unixsocket', "$dir/redis.sock", '--unixsocketperm', '700',
		        '--appendonly', 'no', '--daemonize', 'no', '--dir', $dir,
		        '--pidfile', "$dir/redis.pid"],
		out => "$dir/redis.log", setpgrp => 1, pdeathsig => 1);
	my $end = time + 10;
	until (_redis_ping($self->{redis_port})) {
		if (defined _wait($pid, 0) || time > $end) {
			kill 'KILL', $pid;
			_wait($pid, 5);
			delete $self->{redis_pid};
			die "redis-server did not start:\n" . _tail(_slurp("$dir/redis.log"), 20) . "\n";
		}
		sleep 0.02;
	}
	return 1;
}

sub stop_redis {
	my ($self) = @_;
	my $pid = delete $self->{redis_pid} or return;
	kill 'TERM', $pid;
	unless (defined _wait($pid, 10)) { kill 'KILL', $pid; _wait($pid, 5) }
	return 1;
}

# ---------------------------------------------------------------- config

sub _conf_value {
	my ($v) = @_;
	return $v if length $v && $v !~ /[\s#"]/;
	(my $q = $v) =~ s/(["\\])/\\$1/g;
	return qq{"$q"};
}

sub _conf_text {
	my ($self, %opt) = @_;
	my @g = (listen => "127.0.0.1:$self->{port}", database_url => $self->pg_dsn,
	         redis => $self->redis_addr, plugin_dir => "$self->{build}/plugins",
	         log_level => 'debug', io_threads => 2, handler_threads => 16);
	my (@keys, %val);
	while (my ($k, $v) = splice @g, 0, 2) { push @keys, $k; $val{$k} = $v }
	my $over = $opt{conf} || {};
	for my $k (sort keys %$over) {
		push @keys, $k unless exists $val{$k};
		$val{$k} = $over->{$k};
	}
	my $text = "# generated by CarBot::Test\n";
	$text .= "$_ = " . _conf_value($val{$_}) . "\n" for grep { defined $val{$_} } @keys;

	my %is_test = map { $_ => 1 } @{$opt{test_plugins} || []};
	my %seen;
	for my $p (grep { !$seen{$_}++ } @{$opt{plugins} || []}, @{$opt{test_plugins} || []}) {
		$text .= "\n[plugin $p]\n";
		$text .= "file = " . _conf_value("$self->{build}/t/plugins/$p.so") . "\n" if $is_test{$p};
		my $pc = ($opt{plugin_conf} || {})->{$p} || {};
		$text .= "$_ = " . _conf_value($pc->{$_}) . "\n" for sort keys %$pc;
	}
	if (defined $opt{extra_conf}) {
		$text .= "\n$opt{extra_conf}";
		$text .= "\n" unless $text =~ /\n\z/;
	}
	return $text;
}

# Writes a config built from %opt like new()'s (plugins, test_plugins,
# plugin_conf, conf, extra_conf) to path (default: a fresh file in tmpdir).
sub write_conf {
	my ($self, %opt) = @_;
	my $path = $opt{path} // "$self->{tmpdir}/conf-" . ++$self->{conf_n} . ".conf";
	open my $fh, '>:raw', $path or die "$path: $!";
	print {$fh} Encode::encode_utf8($self->_conf_text(%opt));
	close $fh or die "$path: $!";
	return $path;
}

# --------------------------------------------------------------- carbotd

sub carbotd_bin { "$_[0]{build}/carbotd" }

sub _carbotd_env {
	my ($self) = @_;
	return {ASAN_OPTIONS => 'detect_leaks=1:exitcode=23',
	        UBSAN_OPTIONS => 'print_stacktrace=1:halt_on_error=1',
	        LSAN_OPTIONS => "suppressions=$ROOT/t/lsan.supp"};
}

# start_carbotd(args => [extra args], wait => 1): starts carbotd with
# carbot.conf and waits (up to 20 s) until GET /healthz answers 200; BAILs
# with the log's tail otherwise.
sub start_carbotd {
	my ($self, %o) = @_;
	die "carbotd already running\n" if $self->{carbotd_pid};
	my $bin = $self->carbotd_bin;
	Test::More::BAIL_OUT("$bin is not built (run make)") unless -x $bin;
	$self->{log_from} = -s $self->{log} || 0;
	my $pid = $self->{carbotd_pid} = _spawn(
		cmd => [$bin, '-c', $self->conf_path, @{$o{args} || []}],
		out => $self->{log}, env => $self->_carbotd_env, setpgrp => 1, pdeathsig => 1,
		cwd => $self->{tmpdir});
	if (open my $fh, '>', "$self->{tmpdir}/carbotd.pid") { print {$fh} "$pid\n" }
	return $pid unless $o{wait} // 1;

	my $http = HTTP::Tiny->new(keep_alive => 0, timeout => 2, proxy => undef,
	                           http_proxy => undef);
	my $end = time + 20;
	while (1) {
		my $r = $http->get($self->url('/healthz'));
		return $pid if $r->{status} == 200;
		my $st = _wait($pid, 0);
		my $why = defined $st ? "exited with status " . _code($st)
		        : time > $end ? "did not answer GET /healthz with 200 within 20 s (last: $r->{status})"
		        : undef;
		if ($why) {
			my $tail = _tail(_slurp($self->{log}, $self->{log_from}), 40);
			$self->stop_carbotd(signal => 'KILL') unless defined $st;
			delete $self->{carbotd_pid};
			$self->_check_sanitizers;
			Test::More::diag("carbotd log tail:\n$tail");
			Test::More::BAIL_OUT("carbotd $why");
		}
		sleep 0.05;
	}
}

# Sends signal (default TERM), waits up to 35 s (then KILL); returns the exit
# code, 128+N when killed by signal N, undef when carbotd was not running.
sub stop_carbotd {
	my ($self, %o) = @_;
	my $pid = $self->{carbotd_pid} or return undef;
	kill $o{signal} // 'TERM', $pid;
	my $st = _wait($pid, 35);
	unless (defined $st) {
		Test::More::diag("carbotd did not exit within 35 s; killing it");
		kill 'KILL', $pid;
		$st = _wait($pid, 10);
	}
	delete $self->{carbotd_pid};
	unlink "$self->{tmpdir}/carbotd.pid";
	$self->_check_sanitizers;
	return _code($st // 9);
}

sub _sanitizer_report {
	my ($text, $what) = @_;
	return unless $text =~ $SAN_RE;
	my @l = split /\n/, $text;
	my ($first) = grep { $l[$_] =~ $SAN_RE || $l[$_] =~ /^=+\d*=+ERROR/ } 0 .. $#l;
	$first = $first > 3 ? $first - 3 : 0;
	my $last = $first + 200 > $#l ? $#l : $first + 200;
	# Report the failure at the test's line, not the harness's.
	my $up = 0;
	$up++ while ((caller $up)[0] // '') eq __PACKAGE__;
	local $Test::Builder::Level = $Test::Builder::Level + $up + 1;
	Test::More::ok(0, 'carbotd ran clean under sanitizers');
	Test::More::diag("$what:\n" . join "\n", @l[$first .. $last]);
}

sub _check_sanitizers {
	my ($self) = @_;
	my $from = $self->{san_checked} // 0;
	my $size = -s $self->{log} or return;
	return if $size <= $from;
	$self->{san_checked} = $size;
	_sanitizer_report(_slurp($self->{log}, $from), "sanitizer report in $self->{log}");
}

# run_carbotd(args => [...], conf_text => $text, timeout => 20): runs carbotd
# to completion and returns (exit code, stdout+stderr); -1 if it had to be
# killed. With conf_text, "-c FILE" holding it comes first; without it,
# "-c carbot.conf" comes first unless args has -c or conf => 0 is given.
sub run_carbotd {
	my ($self, %o) = @_;
	my $bin = $self->carbotd_bin;
	Test::More::BAIL_OUT("$bin is not built (run make)") unless -x $bin;
	my @args = @{$o{args} || []};
	if (defined $o{conf_text}) {
		my $path = "$self->{tmpdir}/run-" . ++$self->{conf_n} . ".conf";
		open my $fh, '>:raw', $path or die "$path: $!";
		print {$fh} $o{conf_text};
		close $fh;
		unshift @args, '-c', $path;
	} elsif (($o{conf} // 1) && !grep { $_ eq '-c' } @args) {
		unshift @args, '-c', $self->conf_path;
	}
	my ($code, $out) = _run([$bin, @args], merge => 1, env => $self->_carbotd_env,
	                        timeout => $o{timeout} // 20, cwd => $self->{tmpdir},
	                        setpgrp => 1, pdeathsig => 1);
	_sanitizer_report($out, "sanitizer report from carbotd @args");
	return ($code, $out);
}

sub log {
	my ($self) = @_;
	return _slurp($self->{log});
}

sub log_lines {
	my ($self) = @_;
	return [map { my $l = $_; eval { $JSON_DEC->decode($l) } // () } split /\n/, $self->log];
}

# ------------------------------------------------------------------ HTTP

sub url {
	my ($self, $path) = @_;
	return $path if $path =~ m{^https?://};
	$path = "/$path" unless $path =~ m{^/};
	return "http://127.0.0.1:$self->{port}$path";
}

sub req {
	my ($self, $method, $path, %o) = @_;
	my %h = %{$o{headers} || {}};
	my %args = (headers => \%h);
	if (exists $o{json}) {
		$args{content} = $JSON_ENC->encode($o{json});
		$h{'Content-Type'} = 'application/json' unless grep { lc eq 'content-type' } keys %h;
	} elsif (defined $o{body}) {
		$args{content} = $o{body};
	}
	my $http = $self->{http} //= HTTP::Tiny->new(keep_alive => 0, timeout => 30, proxy => undef,
	                                             http_proxy => undef, agent => 'carbot-test/1');
	my $r = $http->request($method, $self->url($path), \%args);
	my $json = length $r->{content} ? eval { $JSON_DEC->decode($r->{content}) } : undef;
	my $res = {status => $r->{status}, reason => $r->{reason}, headers => $r->{headers},
	           content => $r->{content}, json => $json};
	# every answer checked against the OpenAPI document (t/lib/CarBot/OpenAPICheck.pm)
	CarBot::OpenAPICheck::check($self, "http://127.0.0.1:$self->{port}#" . ($self->{carbotd_pid} // ''), $method, $path, $res)
		if ($o{openapi_check} // 1) && $path !~ m{^https?://};
	return $res;
}

sub get { my $s = shift; $s->req('GET', @_) }
sub post { my $s = shift; $s->req('POST', @_) }
sub patch { my $s = shift; $s->req('PATCH', @_) }
sub put { my $s = shift; $s->req('PUT', @_) }
sub del { my $s = shift; $s->req('DELETE', @_) }

# --------------------------------------------------------------- cleanup

sub cleanup {
	my ($self) = @_;
	return if $self->{cleaned} || $$ != $self->{owner};
	$self->{cleaned} = 1;
	local ($?, $!, $@);
	eval { $self->stop_carbotd };
	eval { $self->stop_redis };
	eval { _pg_ctl($self->pg_datadir, 'stop', '-m', 'immediate', '-w')
	         if -f $self->pg_datadir . '/postmaster.pid' };
	close $_ for @{delete $self->{port_locks} || []};
	if ($ENV{CARBOT_TEST_KEEP}) {
		unlink "$self->{tmpdir}/harness.pid";
		Test::More::diag("CARBOT_TEST_KEEP: kept $self->{tmpdir}");
	} else {
		remove_tree($self->{tmpdir}, {error => \my $ignored}) if $self->{tmpdir};
	}
	delete $LIVE{refaddr $self};
}

sub DESTROY { $_[0]->cleanup }

sub _live { grep { defined } values %LIVE }

# done_testing: stop carbotd (so leaks are reported) before the plan is printed.
eval {
	require Test2::API;
	Test2::API::test2_add_callback_testing_done(sub {
		for my $t (_live()) { $t->stop_carbotd if $$ == $t->{owner} }
	});
};

for my $sig (qw(INT TERM HUP)) {
	$SIG{$sig} ||= sub { Test::More::diag("caught SIG$sig, cleaning up"); exit 128 + ($sig eq 'INT' ? 2 : $sig eq 'TERM' ? 15 : 1) };
}

END {
	local $?;
	$_->cleanup for _live();
}

1;
