#!/usr/bin/env node
// catcher.js — a mail catcher on loopback: a real SMTP server (smtp-server)
// that keeps every message it receives in memory, parsed by mailparser, and
// shows them on a small web page and as JSON.
//
//   node catcher.js [--smtp-port N] [--http-port N] [--ports-file FILE]
//                   [--user U --pass P] [--parent-pid PID]
//
// Port 0 (the default) lets the kernel choose; the ports actually used are
// printed as one line "smtp=N http=N" on stdout and, with --ports-file,
// written to FILE once both servers listen. HTTP:
//   GET /               the messages, newest first, as a web page
//   GET /messages.json  [{id, received, envelope:{from, to[]}, from, to, subject,
//                         text, html, headers:{name: value}, raw}]
//   DELETE /messages.json  forgets every message
// With --user/--pass the SMTP server requires AUTH PLAIN/LOGIN with them.
// With --tls-key/--tls-cert (PEM files) it offers STARTTLS with them, and
// each message records whether its session was encrypted (tls: true).
// With --parent-pid it exits once that process is gone (make run).
'use strict';

const fs = require('fs');
const http = require('http');
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

function arg(name, def) {
	const i = process.argv.indexOf(name);
	return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const host = '127.0.0.1';
const user = arg('--user', null), pass = arg('--pass', null);
const tlsKey = arg('--tls-key', null), tlsCert = arg('--tls-cert', null);
const messages = [];
let nextId = 1;

const smtp = new SMTPServer({
	secure: false,
	...(tlsKey && tlsCert ? { key: fs.readFileSync(tlsKey), cert: fs.readFileSync(tlsCert) } : {}),
	disabledCommands: [...(tlsKey && tlsCert ? [] : ['STARTTLS']), ...(user ? [] : ['AUTH'])],
	authOptional: !user,
	allowInsecureAuth: true,
	logger: false,
	size: 10 * 1024 * 1024,
	onAuth(auth, session, cb) {
		if (auth.username === user && auth.password === pass)
			return cb(null, { user: auth.username });
		return cb(new Error('Invalid username or password'));
	},
	onData(stream, session, cb) {
		const chunks = [];
		stream.on('data', (c) => chunks.push(c));
		stream.on('end', async () => {
			const raw = Buffer.concat(chunks);
			try {
				const m = await simpleParser(raw);
				const headers = {};
				for (const line of m.headerLines)
					headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
				messages.push({
					id: nextId++,
					received: new Date().toISOString(),
					tls: Boolean(session.secure),
					envelope: {
						from: session.envelope.mailFrom && session.envelope.mailFrom.address,
						to: session.envelope.rcptTo.map((r) => r.address),
					},
					from: m.from ? m.from.text : null,
					to: m.to ? m.to.text : null,
					subject: m.subject || '',
					text: m.text || '',
					html: m.html || '',
					headers,
					raw: raw.toString('utf8'),
				});
				cb();
			} catch (e) {
				cb(e);
			}
		});
	},
});

function esc(s) {
	return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page() {
	const rows = messages
		.slice()
		.reverse()
		.map((m) =>
			`<article><h2>${esc(m.subject)}</h2><p>${esc(m.received)} · from ${esc(m.from)} ` +
			`to ${esc(m.envelope.to.join(', '))}</p><pre>${esc(m.text)}</pre></article>`)
		.join('\n');
	return '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
		'<title>CarBot mail catcher</title><style>body{font:14px sans-serif;max-width:60em;' +
		'margin:2em auto}article{border-top:1px solid #ccc}pre{white-space:pre-wrap}</style>' +
		`</head><body><h1>CarBot mail catcher (${messages.length})</h1>` +
		(rows || '<p>No mail yet.</p>') + '</body></html>';
}

const web = http.createServer((req, res) => {
	if (req.url === '/messages.json' && req.method === 'DELETE') {
		messages.length = 0;
		res.writeHead(204);
		return res.end();
	}
	if (req.url === '/messages.json') {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		return res.end(JSON.stringify(messages));
	}
	if (req.url === '/') {
		res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
		return res.end(page());
	}
	res.writeHead(404, { 'Content-Type': 'text/plain' });
	res.end('not found');
});

let ready = 0;
function listening() {
	if (++ready < 2)
		return;
	const line = `smtp=${smtp.server.address().port} http=${web.address().port}`;
	const file = arg('--ports-file', null);
	if (file) {
		fs.writeFileSync(file + '.tmp', line + '\n');
		fs.renameSync(file + '.tmp', file);
	}
	console.log(line);
}

// Before it listens an error (the port taken) ends the catcher; afterwards
// it is one client's (a TLS handshake the client broke off): logged only.
let smtpUp = false;
smtp.on('error', (e) => {
	console.error('mailcatcher smtp:', e.message);
	if (!smtpUp) process.exit(1);
});
web.on('error', (e) => {
	console.error('mailcatcher http:', e.message);
	process.exit(1);
});
smtp.listen(Number(arg('--smtp-port', 0)), host, () => {
	smtpUp = true;
	listening();
});
web.listen(Number(arg('--http-port', 0)), host, listening);
const parent = Number(arg('--parent-pid', 0));
if (parent)
	setInterval(() => {
		try {
			process.kill(parent, 0);
		} catch (e) {
			process.exit(0);
		}
	}, 1000).unref();
for (const sig of ['SIGTERM', 'SIGINT'])
	process.on(sig, () => process.exit(0));
