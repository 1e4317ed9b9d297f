/**
 * @file
 * The whole public API of the orb ORM: include this one header.
 */
#ifndef ORM_ORM_H
#define ORM_ORM_H

#include "orm/error.h"
#include "orm/value.h"
#include "orm/model.h"
#include "orm/url.h"
#include "orm/expr.h"
#include "orm/db.h"
#include "orm/record.h"
#include "orm/session.h"
#include "orm/query.h"
#include "orm/modelfile.h"
#include "orm/version.h"

#endif
