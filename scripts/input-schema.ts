// Prints the advertised input schemas of the tools; the build embeds it in the bundle.
import { advertisedInputSchemas } from '../src/advertised-input-schema.js';

process.stdout.write(JSON.stringify(advertisedInputSchemas));
