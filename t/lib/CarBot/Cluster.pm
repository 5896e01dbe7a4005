package CarBot::Cluster;
# Several carbotd on one PostgreSQL and one Redis, behind HAProxy: the
# harness of the scale-out and fault tests (t/scale-*.t, t/fault-*.t).
#
#   use CarBot::Cluster;
#   my $c = CarBot::Cluster->new(n => 3, %options_of_CarBot::Test_new);
#   my $t = $c->test;           # the CarBot::Test owning PostgreSQL and Redis
#   my $lb = $c->lb;            # requests through HAProxy (round robin)
#   my $n1 = $c->node(1);       # requests straight to the second carbotd
#   $lb->post(...); $n1->get(...); $c->sql(...);
#   $c->kill_node(1);           # SIGKILL; start_node(1) starts it again
#
# new(n => 3, lb => 1, before_start => sub { my ($t) = @_; ... }, %opt):
# before_start runs once PostgreSQL and Redis are up, before any carbotd;
# %opt is what CarBot::Test->new takes (plugins,
# test_plugins, plugin_conf, conf, extra_conf); start is forced off, because
# the cluster starts its carbotd processes itself, all at the same moment
# (to show that migrations run once when they race), and then waits until
# every one answers GET /healthz. Each node has its own port, config
# (node-N.conf, the same settings but listen) and log (node-N.log) in the
# test's temp dir. With lb => 1 HAProxy listens on its own port, balances
# round robin over the nodes, checks GET /healthz every 300 ms (a node is
# out after 2 failures, back after 1 success), adds X-Forwarded-For and
# answers with X-Served-By: cN, the node that served.
#
# A node (node(i), lb) is a view that takes every CarBot::Test method
# (get/post/... and sql, url, port), aimed at that port; CarBot::Chat and
# friends accept it wherever they take a harness.
#
# Processes are stopped when the cluster object goes away or at END. When a
# node stops, its log is checked for sanitizer reports like CarBot::Test does.
use strict;
use warnings;
use Test::More ();
use HTTP::Tiny;
use POSIX ();
use File::Spec;
use Time::HiRes qw(time sleep);
use Scalar::Util qw(weaken refaddr);
use CarBot::Test;

my %LIVE;

sub new {
	my ($class, %opt) = @_;
	my $n = delete $opt{n} // 3;
	my $want_lb = delete $opt{lb} // 1;
	my $before = delete $opt{before_start};
	my $t = CarBot::Test->new(%opt, start => 0);
	$before->($t) if $before;
	my $self = bless {t => $t, n => $n, opt => \%opt, pids => [], owner => $$}, $class;
	$LIVE{refaddr $self} = $self;
	weaken $LIVE{refaddr $self};
	$self->{ports} = [$t->port, map { $t->_reserve_port } 2 .. $n];
	$self->_write_node_conf($_) for 0 .. $n - 1;
	$self->start_node($_, wait => 0) for 0 .. $n - 1;
	$self->wait_node($_) for 0 .. $n - 1;
	$self->start_lb if $want_lb;
	return $self;
}

sub test { $_[0]{t} }
sub n { $_[0]{n} }
sub sql { my $s = shift; $s->{t}->sql(@_) }
sub node_port { $_[0]{ports}[$_[1]] }
sub node_log { "$_[0]{t}{tmpdir}/node-$_[1].log" }
sub node_pid { $_[0]{pids}[$_[1]] }
sub lb_port { $_[0]{lb_port} }
sub node { CarBot::Cluster::View->new($_[0]{t}, $_[0]{ports}[$_[1]]) }
sub lb { CarBot::Cluster::View->new($_[0]{t}, $_[0]{lb_port} // die "no load balancer\n") }
sub nodes { my $s = shift; map { $s->node($_) } 0 .. $s->{n} - 1 }

sub _write_node_conf {
	my ($self, $i) = @_;
	my %o = %{$self->{opt}};
	$o{conf} = {%{$o{conf} || {}}, listen => "127.0.0.1:$self->{ports}[$i]"};
	$self->{t}->write_conf(%o, path => "$self->{t}{tmpdir}/node-$i.conf");
}

# start_node(i, wait => 1): starts node i (again); waits for /healthz.
sub start_node {
	my ($self, $i, %o) = @_;
	die "node $i is running\n" if $self->{pids}[$i];
	my $t = $self->{t};
	$self->{log_from}[$i] = -s $self->node_log($i) || 0;
	$self->{pids}[$i] = CarBot::Test::_spawn(
		cmd => [$t->carbotd_bin, '-c', "$t->{tmpdir}/node-$i.conf"], out => $self->node_log($i),
		env => $t->_carbotd_env, setpgrp => 1, pdeathsig => 1, cwd => $t->{tmpdir});
	$self->wait_node($i) if $o{wait} // 1;
	return $self->{pids}[$i];
}

sub wait_node {
	my ($self, $i) = @_;
	my $http = HTTP::Tiny->new(keep_alive => 0, timeout => 2, proxy => undef, http_proxy => undef);
	my $end = time + 30;
	while (1) {
		my $r = $http->get("http://127.0.0.1:$self->{ports}[$i]/healthz");
		return 1 if $r->{status} == 200;
		my $st = CarBot::Test::_wait($self->{pids}[$i], 0);
		if (defined $st || time > $end) {
			my $log = CarBot::Test::_slurp($self->node_log($i), $self->{log_from}[$i]);
			$self->stop_node($i, signal => 'KILL') unless defined $st;
			delete $self->{pids}[$i];
			Test::More::diag("node $i log tail:\n" . CarBot::Test::_tail($log, 40));
			Test::More::BAIL_OUT("carbotd node $i " . (defined $st ? 'exited' : 'did not answer /healthz'));
		}
		sleep 0.05;
	}
}

# stop_node(i, signal => 'TERM'): returns the exit code (128+N for signal N).
sub stop_node {
	my ($self, $i, %o) = @_;
	my $pid = $self->{pids}[$i] or return undef;
	kill $o{signal} // 'TERM', $pid;
	my $st = CarBot::Test::_wait($pid, 35);
	unless (defined $st) { kill 'KILL', $pid; $st = CarBot::Test::_wait($pid, 10) }
	$self->{pids}[$i] = undef;
	my $log = CarBot::Test::_slurp($self->node_log($i), $self->{san_from}[$i] // 0);
	$self->{san_from}[$i] = -s $self->node_log($i) || 0;
	CarBot::Test::_sanitizer_report($log, "sanitizer report in " . $self->node_log($i));
	return CarBot::Test::_code($st // 9);
}

sub kill_node { $_[0]->stop_node($_[1], signal => 'KILL') }

sub haproxy_bin {
	for (File::Spec->path, '/usr/sbin') { return "$_/haproxy" if -x "$_/haproxy" }
	return undef;
}

sub start_lb {
	my ($self) = @_;
	my $bin = haproxy_bin() or Test::More::BAIL_OUT('haproxy not found: run scripts/deps.sh');
	my $t = $self->{t};
	my $port = $self->{lb_port} //= $t->_reserve_port;
	my $cfg = "$t->{tmpdir}/haproxy.cfg";
	open my $fh, '>', $cfg or die "$cfg: $!";
	print {$fh} <<"EOF";
global
	maxconn 4096
defaults
	mode http
	timeout connect 2s
	timeout client 60s
	timeout server 60s
	retries 2
	option redispatch
frontend carbot
	bind 127.0.0.1:$port
	option forwardfor
	default_backend carbotd
backend carbotd
	balance roundrobin
	option httpchk GET /healthz
	default-server inter 300ms fall 2 rise 1
	http-response set-header X-Served-By %s
EOF
	print {$fh} "\tserver c$_ 127.0.0.1:$self->{ports}[$_] check\n" for 0 .. $self->{n} - 1;
	close $fh;
	my $log = "$t->{tmpdir}/haproxy.log";
	$self->{lb_pid} = CarBot::Test::_spawn(cmd => [$bin, '-db', '-f', $cfg], out => $log,
	                                       setpgrp => 1, pdeathsig => 1, cwd => $t->{tmpdir});
	# up when every node has been seen behind it
	my $http = HTTP::Tiny->new(keep_alive => 0, timeout => 2, proxy => undef, http_proxy => undef);
	my %seen;
	my $end = time + 20;
	while (keys %seen < $self->{n}) {
		my $r = $http->get("http://127.0.0.1:$port/healthz");
		$seen{$r->{headers}{'x-served-by'}} = 1 if $r->{status} == 200 && $r->{headers}{'x-served-by'};
		if (defined CarBot::Test::_wait($self->{lb_pid}, 0) || time > $end) {
			Test::More::diag("haproxy log:\n" . CarBot::Test::_tail(CarBot::Test::_slurp($log), 20));
			Test::More::BAIL_OUT('haproxy did not balance over every node');
		}
		sleep 0.05 unless $r->{status} == 200;
	}
	return $port;
}

sub stop_lb {
	my ($self) = @_;
	my $pid = delete $self->{lb_pid} or return;
	kill 'TERM', $pid;
	unless (defined CarBot::Test::_wait($pid, 10)) { kill 'KILL', $pid; CarBot::Test::_wait($pid, 5) }
}

sub cleanup {
	my ($self) = @_;
	return if $self->{cleaned} || $$ != $self->{owner};
	$self->{cleaned} = 1;
	local ($?, $!, $@);
	eval { $self->stop_lb };
	eval { $self->stop_node($_) } for 0 .. $self->{n} - 1;
	delete $LIVE{refaddr $self};
}

sub DESTROY { $_[0]->cleanup }

# done_testing: stop the nodes (so sanitizer reports count) before the plan.
eval {
	require Test2::API;
	Test2::API::test2_add_callback_testing_done(sub { $_->cleanup for grep { defined } values %LIVE });
};

END { local $?; $_->cleanup for grep { defined } values %LIVE }

# ---- a harness aimed at one port ----
package CarBot::Cluster::View;
our $AUTOLOAD;

sub new { my ($class, $t, $port) = @_; bless {t => $t, port => $port}, $class }
sub port { $_[0]{port} }

sub AUTOLOAD {
	my $self = shift;
	(my $m = $AUTOLOAD) =~ s/.*:://;
	return if $m eq 'DESTROY';
	local $self->{t}{port} = $self->{port};
	return $self->{t}->$m(@_);
}

1;
