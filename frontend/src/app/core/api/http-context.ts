import { HttpContextToken } from '@angular/common/http';

/**
 * Requests that must go out without the bearer token and without the refresh-and-retry
 * logic: the auth calls themselves and PUTs to presigned storage URLs (an extra
 * Authorization header breaks an S3 signature).
 */
export const SKIP_AUTH = new HttpContextToken<boolean>(() => false);
