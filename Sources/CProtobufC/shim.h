#ifndef SWITCHBOARD_CPROTOBUFC_SHIM_H
#define SWITCHBOARD_CPROTOBUFC_SHIM_H

#include <protobuf-c/protobuf-c.h>

#endif
