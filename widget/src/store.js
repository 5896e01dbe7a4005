// The visitor's session in Web Storage — but only after consent-by-action.
//
// German data-protection guidance (DSK) on chat widgets: nothing may be
// written to the visitor's device before they start using the chat. So the
// store only reads until enable() is called on the first open; a session
// found at start-up implies that open happened on an earlier page.

const KEY = 'carbot_widget';

// The Storage object of kind ("local" or "session"), or null where the
// browser refuses access (privacy modes, sandboxed frames).
function backend(kind) {
  try {
    const s = kind === 'local' ? window.localStorage : window.sessionStorage;
    s.getItem(KEY);
    return s;
  } catch (e) {
    return null;
  }
}

export function createStore(kind, clientKey) {
  const s = backend(kind);
  let enabled = false;

  // The saved state of this client key, or null.
  function load() {
    if (!s) return null;
    try {
      const v = JSON.parse(s.getItem(KEY) || 'null');
      if (v && v.k === clientKey) {
        enabled = true; // the visitor opened the chat before
        return v;
      }
    } catch (e) {
      /* unreadable: start afresh */
    }
    return null;
  }

  function save(state) {
    if (!s || !enabled) return;
    try {
      s.setItem(KEY, JSON.stringify(Object.assign({ k: clientKey }, state)));
    } catch (e) {
      /* quota or privacy mode: the chat still works, only not across pages */
    }
  }

  return {
    load,
    save,
    enable() {
      enabled = true;
    },
    // "Delete my conversation": nothing of it stays on the device, and
    // nothing is written again until the visitor uses the chat anew.
    clear() {
      enabled = false;
      if (!s) return;
      try {
        s.removeItem(KEY);
      } catch (e) {
        /* privacy mode: nothing was stored */
      }
    },
  };
}
