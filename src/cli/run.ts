import { program } from './main.ts'
import { fail } from './output.ts'

await program.parseAsync(process.argv).catch(fail)
