package CarBot::Stub;
# A real HTTP server on loopback for tests of outbound calls (domain checks,
# LLM and Stripe fakes). Each connection is served by a forked child, so a
# slow route does not block the others.
#
#   my $s = CarBot::Stub->new(routes => {
#       'GET /ok'   => sub { my ($req) = @_; [200, ['Content-Type' => 'text/plain'], 'hello'] },
#       'GET /slow' => sub { sleep 3; [200, [], 'late'] },
#   });
#   $s->url('/ok');   # http://127.0.0.1:PORT/ok
#
# A handler gets {method, path, query, headers (lower-cased), body} and returns
# [status, [header => value, ...], body]. Unknown routes answer 404. The
# server stops when the object goes away.
use strict;
use warnings;
use IO::Socket::INET;
use POSIX qw(WNOHANG _exit);

sub new {
	my ($class, %o) = @_;
	my $listen = IO::Socket::INET->new(Listen => 64, LocalAddr => '127.0.0.1', LocalPort => 0,
		ReuseAddr => 1, Proto => 'tcp') or die "stub listen: $!";
	my $self = bless {routes => $o{routes} || {}, port => $listen->sockport, parent => $$}, $class;
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		$SIG{CHLD} = 'IGNORE';
		$SIG{TERM} = sub { _exit(0) };
		while (my $c = $listen->accept) {
			my $kid = fork;
			if (defined $kid && !$kid) {
				$self->_serve($c);
				_exit(0);
			}
			close $c;
		}
		_exit(0);
	}
	close $listen;
	$self->{pid} = $pid;
	return $self;
}

sub port { $_[0]{port} }
sub url { "http://127.0.0.1:$_[0]{port}$_[1]" }

sub _serve {
	my ($self, $c) = @_;
	local $/ = "\r\n";
	my $line = <$c> // return;
	my ($method, $target) = $line =~ m{^(\S+) (\S+) HTTP/} or return;
	my %h;
	while (my $l = <$c>) {
		last if $l eq "\r\n";
		$h{lc $1} = $2 if $l =~ /^([^:]+):\s*(.*?)\r\n$/;
	}
	my $body = '';
	read($c, $body, $h{'content-length'}) if $h{'content-length'};
	my ($path, $query) = split /\?/, $target, 2;
	my $handler = $self->{routes}{"$method $path"} || $self->{routes}{"* $path"};
	my $res = $handler
		? $handler->({method => $method, path => $path, query => $query // '', headers => \%h, body => $body})
		: [404, ['Content-Type' => 'text/plain'], 'not found'];
	my ($status, $headers, $out) = @$res;
	$out //= '';
	my $head = "HTTP/1.1 $status X\r\nConnection: close\r\nContent-Length: " . length($out) . "\r\n";
	for (my $i = 0; $i < @$headers; $i += 2) {
		$head .= "$headers->[$i]: $headers->[$i + 1]\r\n";
	}
	local $SIG{PIPE} = 'IGNORE';
	print {$c} "$head\r\n$out";
	close $c;
}

sub stop {
	my ($self) = @_;
	return unless $self->{pid} && $$ == $self->{parent};
	kill 'TERM', $self->{pid};
	waitpid $self->{pid}, 0;
	delete $self->{pid};
}

sub DESTROY { $_[0]->stop }

1;
