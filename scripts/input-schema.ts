// Prints the advertised input schema of create_one_time_payment; the build embeds it in the bundle.
import { advertisedInputSchema } from '../src/advertised-input-schema.js';

process.stdout.write(JSON.stringify(advertisedInputSchema));
