// Web push through Firebase Cloud Messaging, for the crew app and for residents who ask
// to hear how their report ends. The crew app imports this module only when the server
// is configured for push and the crew member turned notifications on; the resident page
// only when the resident ticks "Stuur mij bericht als er iets verandert". So the Firebase
// SDK (most of its weight) is not loaded by a page that does not need it.
//
// The app keeps one service worker (/sw.js) for everything; Firebase gets that
// registration instead of registering its own firebase-messaging-sw.js. The worker shows
// background messages itself and hands foreground ones to onMessage (see sw.js).
import { initializeApp } from 'firebase/app';
import { deleteToken, getMessaging, getToken, isSupported, onMessage } from 'firebase/messaging';

let messaging = null;
let foreground = () => {};

// supported tells whether this browser can receive FCM web push at all.
export function supported() {
  return isSupported().catch(() => false);
}

// token returns the FCM registration token of this phone, registering with FCM when
// there is none yet (or when the push subscription or the VAPID key changed, or once a
// week). Call it only when notification permission is granted. onForeground gets the
// messages that arrive while the app is open. name is the Firebase app's name: the crew
// app's (the default) or the resident page's, so each keeps its own installation.
export async function token({ config, vapidKey }, registration, onForeground, name = 'wijkwerk-crew') {
  if (onForeground) foreground = onForeground;
  if (!messaging) {
    messaging = getMessaging(initializeApp(config, name));
    onMessage(messaging, (payload) => foreground(payload));
  }
  return getToken(messaging, { vapidKey, serviceWorkerRegistration: registration });
}

// forget removes this phone's token at FCM, so it gets no more messages.
export async function forget(settings, registration) {
  await token(settings, registration);
  await deleteToken(messaging);
}
