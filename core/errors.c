/* errors.c — names of the SDK's status codes. */
#include "carbot/errors.h"

const char *cb_strerror(int code)
{
	switch (code) {
	case CB_OK: return "CB_OK";
	case CB_ERR: return "CB_ERR";
	case CB_ENOMEM: return "CB_ENOMEM";
	case CB_EINVAL: return "CB_EINVAL";
	case CB_EDB: return "CB_EDB";
	case CB_EREDIS: return "CB_EREDIS";
	case CB_ENOTFOUND: return "CB_ENOTFOUND";
	case CB_ETIMEOUT: return "CB_ETIMEOUT";
	case CB_EVETO: return "CB_EVETO";
	case CB_EEXIST: return "CB_EEXIST";
	case CB_ETOOBIG: return "CB_ETOOBIG";
	case CB_EFETCH: return "CB_EFETCH";
	case CB_ESTATE: return "CB_ESTATE";
	}
	return "CB_E?";
}
