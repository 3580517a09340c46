/**
 * Test group: expressions, networks, exports, certification, reports, training, errors.
 * `npm test` runs each group in one process; test/groups.test.ts says why and keeps every test
 * file in exactly one group.
 */
import '../certify/adversary.test.ts';
import '../certify/certify.test.ts';
import '../certify/constructions.test.ts';
import '../certify/convex.test.ts';
import '../certify/readers.test.ts';
import '../certify/vnnlib.test.ts';
import '../expr/derivative.test.ts';
import '../expr/functions.test.ts';
import '../expr/interval.test.ts';
import '../expr/parse-limits.test.ts';
import '../expr/parse.test.ts';
import '../expr/special.test.ts';
import '../expr/straightline.test.ts';
import '../export/hostile-artifact.test.ts';
import '../export/index.test.ts';
import '../export/load-artifact.test.ts';
import '../export/milp.test.ts';
import '../export/model-limits.test.ts';
import '../export/names.test.ts';
import '../export/onnx-proto.test.ts';
import '../export/onnx.test.ts';
import '../export/safetensors.test.ts';
import '../export/tfjs.test.ts';
import '../net/evaluate.test.ts';
import '../net/json.test.ts';
import '../net/network.test.ts';
import '../net/rounding.test.ts';
import '../net/roundingaffine.test.ts';
import '../net/roundingrules.test.ts';
import '../net/rowerror.test.ts';
import '../net/rowgroups.test.ts';
import '../net/single-output.test.ts';
import '../report/report.test.ts';
import '../train/compare.test.ts';
import '../train/models.test.ts';
import '../errors.test.ts';
import '../library-options.test.ts';
