package CarBot::Load;
# A steady chat load for the fault tests: child processes that keep sending
# widget chat messages (each with a text of its own) and write down every
# answer, so a test can compare the acknowledged messages with the rows.
#
#   my $c = CarBot::Load::cluster(n => 3);          # chat-ready cluster
#   my $o = CarBot::Chat::owner($c->lb, tier => 'premium');
#   my $l = CarBot::Load->start($c->lb, $o, children => 2, tag => 'pg');
#   ... break something, mend it ...
#   my @r = $l->stop;   # [{t, status, text, code, by}] in send order per child
#   my @ok = grep { $_->{status} == 200 } @r;
#
# Children pause pause_s (0.01) between requests and stop by themselves after
# max_s (90) seconds. Requests time out after 10 s (status 599 then).
use strict;
use warnings;
use POSIX ();
use JSON::PP;
use HTTP::Tiny;
use Time::HiRes qw(time sleep);
use File::Temp ();
use CarBot::Test;
use CarBot::Cluster;
use CarBot::Keys;
use CarBot::Chat;

# A cluster with auth, keys, chat (and extra test_plugins) whose limits do
# not get in the way of a load test; %opt goes to CarBot::Cluster->new.
sub cluster {
	my (%opt) = @_;
	my $keys = {key_secret => $KEY_SECRET, ip_rate_limit => 100000000, key_rate_limit => 100000000,
	            flush_interval => 1, %{delete $opt{keys} || {}}};
	my $chat = {visitor_salt => $VISITOR_SALT, session_limit => 100000, %{delete $opt{chat} || {}}};
	my $auth = {jwt_secret => $CarBot::Auth::SECRET, bcrypt_cost => 4, register_per_ip => 100000,
	            rate_basic => 100000, rate_premium => 100000, rate_enterprise => 100000};
	my $conf = {fetch_private_ok => 'on', job_poll_ms => 50, trusted_proxies => '127.0.0.1',
	            handler_threads => 8, %{delete $opt{conf} || {}}};
	return CarBot::Cluster->new(plugins => ['auth', 'keys', 'chat'],
	                            plugin_conf => {auth => $auth, keys => $keys, chat => $chat},
	                            conf => $conf, %opt);
}

sub start {
	my ($class, $view, $o, %opt) = @_;
	my $self = bless {dir => File::Temp::tempdir('carbot-load-XXXXXX', TMPDIR => 1, CLEANUP => 1),
	                  kids => [], owner => $$}, $class;
	my $n = $opt{children} // 2;
	my $tag = $opt{tag} // 'load';
	my $url = $view->url('/api/v1/widget/chat');
	for my $i (0 .. $n - 1) {
		my $sid = CarBot::Chat::session($view, $o);
		my $pid = fork // die "fork: $!";
		if (!$pid) {
			_child($self->{dir}, $i, $url, $o, $sid, "$tag-$$", $opt{pause_s} // 0.01, $opt{max_s} // 90);
			POSIX::_exit(0);
		}
		push @{$self->{kids}}, $pid;
	}
	return $self;
}

sub _child {
	my ($dir, $i, $url, $o, $sid, $tag, $pause, $max) = @_;
	my $http = HTTP::Tiny->new(keep_alive => 0, timeout => 10, proxy => undef, http_proxy => undef);
	my $json = JSON::PP->new->utf8->canonical;
	open my $out, '>>', "$dir/kid-$i" or die "$dir/kid-$i: $!";
	$out->autoflush(1);
	my $end = time + $max;
	my $headers = CarBot::Chat::headers($o, 'Content-Type' => 'application/json',
	                                    ip => sprintf('192.0.2.%d', $i + 1));
	for (my $m = 1; time < $end && !-e "$dir/stop"; $m++) {
		my $text = "Wann habt ihr offen? $tag-$i-$m";
		my $t0 = time;
		my $r = $http->post($url, {headers => $headers, content => $json->encode(
			{client_key => $o->{key}, session_id => $sid, message => $text})});
		my $code = '';
		if ($r->{status} != 200 && ($r->{headers}{'content-type'} // '') =~ /json/) {
			my $j = eval { $json->decode($r->{content}) };
			$code = $j && ref $j->{error} eq 'HASH' ? $j->{error}{code} // '' : '';
		}
		printf {$out} "%.3f\t%d\t%s\t%s\t%s\n", $t0, $r->{status}, $text, $code || '-',
		  $r->{headers}{'x-served-by'} // '-';
		sleep $pause if $pause;
	}
	close $out;
}

# Stops the children; returns every answer ({t, status, text, code, by}).
sub stop {
	my ($self) = @_;
	if (open my $fh, ">", "$self->{dir}/stop") { close $fh }
	CarBot::Test::_wait($_, 30) // do { kill 'KILL', $_; waitpid $_, 0 } for @{$self->{kids}};
	$self->{kids} = [];
	my @r;
	for my $f (sort glob "$self->{dir}/kid-*") {
		open my $in, '<', $f or next;
		while (<$in>) {
			chomp;
			my ($t, $st, $text, $code, $by) = split /\t/;
			push @r, {t => $t, status => $st, text => $text, code => $code, by => $by};
		}
	}
	return @r;
}

# Answers so far (the children keep going).
sub count {
	my ($self) = @_;
	my $n = 0;
	for my $f (glob "$self->{dir}/kid-*") { open my $in, '<', $f or next; $n++ while <$in> }
	return $n;
}

sub DESTROY {
	my ($self) = @_;
	return unless $$ == $self->{owner} && @{$self->{kids} || []};
	kill 'KILL', @{$self->{kids}};
	waitpid $_, 0 for @{$self->{kids}};
}

1;
