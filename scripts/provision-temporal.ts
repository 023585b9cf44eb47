/** npm run temporal:provision: find or build (and cache) the Temporal CLI; prints its path. */
import { provisionTemporalCli } from '../lib/client/temporal-cli';

console.log(provisionTemporalCli((line) => console.error(line)));
