# conversation.ended: chat's job chat.end_idle announces each conversation
# once when it fell silent for idle_minutes or a newer conversation of its
# session ended it; notify turns the event into a signed webhook. Time is
# moved by SQL (last_message_at back, the job's run_at to now), not by
# sleeping.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use JSON::PP;
use Test::More;
use Time::HiRes qw(sleep);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Chat;
use CarBot::Mail;
use CarBot::Stub;

my $JSON = JSON::PP->new->utf8->canonical;
my $dir = tempdir(CLEANUP => 1);
my $stub = CarBot::Stub->new(routes => {
	'POST /hook' => sub {
		open my $fh, '>>', "$dir/hook" or die;
		print {$fh} $JSON->encode({body => $_[0]{body}}), "\n";
		[200, [], 'ok'];
	},
});
sub received {
	local $/ = "\n";
	open my $fh, '<', "$dir/hook" or return ();
	return map { $JSON->decode($JSON->decode($_)->{body}) } <$fh>;
}
sub wait_for {
	my ($cond, $secs) = @_;
	my $end = time + ($secs // 20);
	my $v;
	until (($v = $cond->()) || time > $end) { sleep 0.1 }
	return $v;
}

my $m = CarBot::Mail->new;
my $t = CarBot::Mail::server($m, chat => 1, auth => {rate_basic => 100000},
	notify => {webhook_allow_loopback => 'on'});
my $o = CarBot::Chat::owner($t);
my $r = $t->post('/api/v1/webhooks', headers => $o->{bearer},
                 json => {url => $stub->url('/hook'), events => ['conversation.ended']});
is $r->{status}, 201, 'a webhook for conversation.ended' or diag $r->{content};

sub run_job {
	$t->sql("UPDATE cb_jobs SET run_at = now() WHERE name = 'chat.end_idle' AND status = 'pending'");
	ok wait_for(sub {
		$t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'chat.end_idle' AND status = 'pending' AND run_at > now() + interval '30 seconds'")->[0][0] == 1
	}), 'the job ran and queued its next run, once';
}
sub conv { $t->sql("SELECT id, (ended_at IS NOT NULL)::int, end_announced::int FROM conversations WHERE session_id = :'p1'", $_[0])->[0] }

my $sid = CarBot::Chat::session($t, $o);
is CarBot::Chat::chat($t, $o, $sid, 'Wann habt ihr offen?')->{status}, 200, 'a visitor chats';
my $active = CarBot::Chat::session($t, $o);
is CarBot::Chat::chat($t, $o, $active, 'Was kostet eine Inspektion?')->{status}, 200, 'a second visitor, still active';
my ($cid) = @{conv($sid)};

run_job();
is_deeply [@{conv($sid)}[1, 2]], [0, 0], 'a conversation silent for less than idle_minutes is not ended';

$t->sql("UPDATE conversations SET last_message_at = now() - interval '31 minutes' WHERE id = :'p1'", $cid);
run_job();
is_deeply [@{conv($sid)}[1, 2]], [1, 1], 'silent for 31 minutes: ended and announced';
is_deeply [@{conv($active)}[1, 2]], [0, 0], 'the active one is left alone';
my @got = wait_for(sub { my @r = received(); @r ? \@r : undef }) ? received() : ();
is scalar @got, 1, 'one webhook delivery';
is $got[0]{type} // $got[0]{event}, 'conversation.ended', 'of conversation.ended';
my $d = $got[0]{data} || {};
is $d->{conversation_id}, $cid, 'naming the conversation';
is $d->{key_id}, $o->{key_id}, 'its key';
is $d->{user_id}, $o->{user}{id}, 'its owner';
is $d->{messages}, 2, 'and its message count';

run_job();
sleep 1;
is scalar(() = received()), 1, 'announced once: a second run sends nothing';

# the visitor comes back after the pause: a new conversation ends nothing twice
is CarBot::Chat::chat($t, $o, $sid, 'Hallo nochmal')->{status}, 200, 'the visitor returns';
is $t->sql("SELECT count(*) FROM conversations WHERE session_id = :'p1'", $sid)->[0][0], 2,
	'a new conversation of the same session';
# a conversation ended by a newer one of its session (ended_at set by the chat path)
my $s3 = CarBot::Chat::session($t, $o);
CarBot::Chat::chat($t, $o, $s3, 'Hallo');
my ($c3) = @{conv($s3)};
$t->sql("UPDATE conversations SET ended_at = now() WHERE id = :'p1'", $c3);
run_job();
ok wait_for(sub { grep { ($_->{data}{conversation_id} // '') eq $c3 } received() }),
	'one ended by the chat path is announced too';
is scalar(grep { ($_->{data}{conversation_id} // '') eq $active } received()), 0,
	'never the active one';
is $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'chat.end_idle' AND status = 'failed'")->[0][0], 0,
	'no failed run';

done_testing;
