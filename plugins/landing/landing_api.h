/* Moved to <carbot/services/landing_api.h> (SDK 1.6), installed with the SDK. This
 * forwarder only keeps branches written before the move building; include
 * <carbot/services/landing_api.h> instead. */
#include <carbot/services/landing_api.h>
