// UI strings. German first (the product's home market), English for every
// other page language. Only the widget's own chrome lives here; what the bot
// says comes from the server in the visitor's language.

const STRINGS = {
  de: {
    open: 'Chat öffnen',
    close: 'Chat schließen',
    dialog: 'Chat mit {name}',
    bot: 'Chat',
    you: 'Sie',
    input: 'Ihre Nachricht',
    placeholder: 'Nachricht schreiben…',
    send: 'Senden',
    typing: '{name} schreibt…',
    greeting: 'Hallo! Wie können wir Ihnen helfen?',
    openNow: 'Jetzt geöffnet',
    closed: 'Gerade geschlossen',
    opens: 'öffnet {when}',
    suggestions: 'Vorschläge',
    retry: 'Erneut versuchen',
    errSend: 'Die Nachricht konnte nicht gesendet werden.',
    errInit: 'Der Chat ist gerade nicht erreichbar.',
    errBusy: 'Zu viele Nachrichten. Bitte versuchen Sie es gleich noch einmal.',
    loading: 'Chat wird geladen…',
    call: 'Rufen Sie uns an:',
    privacy: 'Ihre Nachrichten werden gespeichert, um Ihnen zu antworten.',
    privacyLink: 'Datenschutz',
    forget: 'Unterhaltung löschen',
    forgotten: 'Ihre Unterhaltung wurde gelöscht.',
    errForget: 'Die Unterhaltung konnte nicht gelöscht werden.',
  },
  en: {
    open: 'Open chat',
    close: 'Close chat',
    dialog: 'Chat with {name}',
    bot: 'Chat',
    you: 'You',
    input: 'Your message',
    placeholder: 'Type a message…',
    send: 'Send',
    typing: '{name} is typing…',
    greeting: 'Hi! How can we help you?',
    openNow: 'Open now',
    closed: 'Closed right now',
    opens: 'opens {when}',
    suggestions: 'Suggestions',
    retry: 'Try again',
    errSend: 'The message could not be sent.',
    errInit: 'The chat is not available right now.',
    errBusy: 'Too many messages. Please try again in a moment.',
    loading: 'Loading the chat…',
    call: 'Call us:',
    privacy: 'Your messages are stored so that we can answer you.',
    privacyLink: 'Privacy',
    forget: 'Delete my conversation',
    forgotten: 'Your conversation has been deleted.',
    errForget: 'The conversation could not be deleted.',
  },
};

// "de-AT" -> "de"; anything that is not German gets English.
export function pickLang(tag) {
  return /^de\b/i.test(tag || '') ? 'de' : 'en';
}

// A translator for lang: t('dialog', {name: 'X'}).
export function strings(lang) {
  const table = STRINGS[lang] || STRINGS.en;
  return (key, vars) =>
    String(table[key] || '').replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m));
}
