// One message for an unknown email and a wrong password: the form must not reveal who has an account.
export const INVALID_CREDENTIALS_MESSAGE = "Email or password is incorrect.";
export const THROTTLED_MESSAGE = "Too many failed sign-ins. Wait 15 minutes and try again.";
