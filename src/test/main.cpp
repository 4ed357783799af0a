#define BOOST_TEST_MODULE bitcoin unit tests
#include <boost/test/unit_test.hpp>
