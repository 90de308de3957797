// Prints the advertised input and output schemas of the tools; the build embeds it in the bundle.
import { advertisedSchemas } from '../src/tools/advertised-schemas.js';

process.stdout.write(JSON.stringify(advertisedSchemas));
