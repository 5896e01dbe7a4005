# The export is written by streaming: an account with 100,000 messages
# (about 50 MB of text) is exported while carbotd's peak RSS grows by far
# less than the data (reported with diag). Rows come from one INSERT ...
# SELECT generate_series.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Test;
use CarBot::Chat;
use CarBot::Gdpr;

my $N = 100_000;
my $t = CarBot::Gdpr::server();
my $o = CarBot::Chat::owner($t);
my $sid = CarBot::Chat::session($t, $o);
CarBot::Chat::chat($t, $o, $sid, 'Hallo');
$t->sql(q{INSERT INTO messages (conversation_id, role, content)
          SELECT c.id, 'user', 'Nachricht ' || g || ' ' || repeat(md5(g::text), 15)
          FROM conversations c, generate_series(1, :'p2'::int) g WHERE c.session_id = :'p1'},
        $sid, $N);

sub hwm_kb {
	open my $fh, '<', "/proc/" . $t->carbotd_pid . "/status" or return 0;
	while (<$fh>) { return $1 if /^VmHWM:\s+(\d+)/ }
	return 0;
}

my $before = hwm_kb();
my $r = $t->post('/api/v1/gdpr/export', headers => $o->{bearer});
is $r->{status}, 202, 'the export starts';
my $s = CarBot::Gdpr::wait_export($t, $o, $r->{json}{id});
is $s->{json}{status}, 'done', 'and finishes';
my $after = hwm_kb();
my $grew = ($after - $before) / 1024;
diag sprintf 'carbotd peak RSS: %.1f MiB before, %.1f MiB after the export of %d messages (+%.1f MiB); archive %.1f MiB',
	$before / 1024, $after / 1024, $N, $grew, ($s->{json}{bytes} // 0) / 1048576;
ok $before > 0, 'peak RSS is readable';
# holding every batch until the end would need well over 50 MiB. Under
# AddressSanitizer freed memory sits in its quarantine (256 MiB), so RSS says
# nothing about what the export holds: the bound is checked in plain builds.
my $asan = do { open my $fh, '<:raw', $t->carbotd_bin or die; local $/; <$fh> =~ /__asan_init/ };
SKIP: {
	skip 'ASan quarantine: peak RSS is not the export\'s memory', 1 if $asan;
	cmp_ok $grew, '<', 40, 'peak RSS grew by less than 40 MiB';
}
my $z = CarBot::Gdpr::unzip($t->get($s->{json}{download_url})->{content});
my $lines = () = $z->{'chat/messages.ndjson'} =~ /\n/g;
is $lines, $N + 2, 'every message is in the archive (plus the chat\'s own two)';
done_testing;
