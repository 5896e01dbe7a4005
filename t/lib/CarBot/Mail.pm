package CarBot::Mail;
# The mail catcher (scripts/mailcatcher/catcher.js, a real SMTP server on
# loopback) for tests, and a carbotd with the notify plugin pointed at it.
#
#   my $m = CarBot::Mail->new;                 # SMTP and HTTP on free ports
#   my $t = CarBot::Mail::server($m, notify => {...});
#   my @mails = $m->wait_for(1, to => 'a@example.com');   # up to 60 s
#   $m->stop; ...; $m->start;                  # SMTP down, then back on the same port
#
# A message is {id, envelope => {from, to => [...]}, from, to, subject,
# text, html, headers => {lower-cased name => raw value}, raw}.
use strict;
use warnings;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use JSON::PP;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep);
use CarBot::Test;
use CarBot::Auth;

our $SECRET = 'notify-secret-' . ('n' x 40);
my $ROOT = CarBot::Test->root;

sub new {
	my ($class, %o) = @_;
	my $self = bless {dir => tempdir('carbot-mail-XXXXXX', TMPDIR => 1, CLEANUP => 1),
	                  smtp_port => 0, http_port => 0, args => $o{args} || [], parent => $$},
	    $class;
	$self->start;
	return $self;
}

sub smtp_port { $_[0]{smtp_port} }
sub http_url { "http://127.0.0.1:$_[0]{http_port}" }

sub start {
	my ($self) = @_;
	my $ports = "$self->{dir}/ports";
	unlink $ports;
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		open STDOUT, '>>', "$self->{dir}/catcher.log";
		open STDERR, '>&', \*STDOUT;
		exec 'node', "$ROOT/scripts/mailcatcher/catcher.js", '--smtp-port', $self->{smtp_port},
		    '--http-port', $self->{http_port}, '--ports-file', $ports, @{$self->{args}}
		    or POSIX::_exit(127);
	}
	$self->{pid} = $pid;
	for (1 .. 600) {
		last if -s $ports;
		die "mail catcher exited\n" if waitpid($pid, WNOHANG) == $pid;
		sleep 0.05;
	}
	open my $fh, '<', $ports or die "mail catcher did not start\n";
	my $line = <$fh>;
	($self->{smtp_port}, $self->{http_port}) = $line =~ /smtp=(\d+) http=(\d+)/
	    or die "mail catcher: bad ports line\n";
	return $self;
}

sub stop {
	my ($self) = @_;
	return unless $self->{pid} && $$ == $self->{parent};
	kill 'TERM', $self->{pid};
	waitpid $self->{pid}, 0;
	delete $self->{pid};
}

sub DESTROY { $_[0]->stop }

# Every message received so far (oldest first).
sub messages {
	my ($self) = @_;
	my $r = HTTP::Tiny->new(timeout => 10)->get($self->http_url . '/messages.json');
	die "mail catcher: $r->{status}\n" unless $r->{success};
	return @{JSON::PP->new->utf8->decode($r->{content})};
}

sub clear {
	my ($self) = @_;
	HTTP::Tiny->new(timeout => 10)->request('DELETE', $self->http_url . '/messages.json');
}

# The outbox row of the mail to email once sending was tried or it left:
# [status, attempts, last_error] (waits up to 60 s; [] when none).
sub outbox_status {
	my ($t, $email) = @_;
	for (1 .. 300) {
		my $r = $t->sql("SELECT status, attempts, last_error FROM notify_mails WHERE recipient = :'p1'", $email);
		return $r->[0] if @$r && ($r->[0][0] ne 'queued' || $r->[0][1] >= 1);
		select undef, undef, undef, 0.2;
	}
	return [];
}

# Messages to address to (any recipient when undef) and of kind (the
# X-CarBot-Mail header: lead, verify_email, ...; any when undef), waiting up
# to timeout seconds (default 60) until there are at least n of them.
sub wait_for {
	my ($self, $n, %o) = @_;
	my $end = time + ($o{timeout} // 60);
	while (1) {
		my @m = grep { !defined $o{to} || grep { lc $_ eq lc $o{to} } @{$_->{envelope}{to}} }
		    grep { !defined $o{kind} || ($_->{headers}{'x-carbot-mail'} // '') eq $o{kind} }
		    $self->messages;
		return @m if @m >= $n || time > $end;
		sleep 0.2;
	}
}

# A carbotd with auth, templates and notify (plus keys and chat with
# chat => 1, landing with landing => 1), notify sending to this catcher.
sub server {
	my ($m, %opt) = @_;
	my $notify = {smtp_url => 'smtp://127.0.0.1:' . $m->smtp_port, smtp_tls => 'off',
	              secret => $SECRET, public_url => 'http://carbot.test',
	              mail_from => 'noreply@carbot.test', %{delete $opt{notify} || {}}};
	my $conf = {job_poll_ms => 50, fetch_private_ok => 'off', %{delete $opt{conf} || {}}};
	my $pc = {notify => $notify, %{delete $opt{plugin_conf} || {}}};
	my @plugins = ('templates');
	push @plugins, 'keys', 'chat' if delete $opt{chat};
	push @plugins, 'landing' if delete $opt{landing};
	if (grep { $_ eq 'chat' } @plugins) {
		require CarBot::Keys;
		require CarBot::Chat;
		$pc->{keys} ||= {key_secret => $CarBot::Keys::KEY_SECRET, ip_rate_limit => 100000,
		                 key_rate_limit => 100000, cache_ttl => 0};
		$pc->{chat} ||= {visitor_salt => $CarBot::Chat::VISITOR_SALT};
	}
	if (grep { $_ eq 'landing' } @plugins) {
		$pc->{landing} ||= {base_domain => 'carbot.localhost', site_url => 'http://{host}',
		                    asset_dir => '/tmp'};
	}
	push @plugins, 'notify';
	return CarBot::Auth::server(plugin_conf => $pc, conf => $conf,
	                            plugins => ['auth', @plugins], %opt);
}

1;
